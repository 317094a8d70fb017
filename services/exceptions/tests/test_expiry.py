"""The expiry loop: expiring_soon exactly once (remembered across restarts), then expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI

from pacbot.common.bus import MemoryBus
from pacbot.common.testing import as_user
from pacbot.exceptions.grants.expiry import ExpiryLoop
from pacbot.exceptions.models import PolicyException
from services.exceptions.tests.conftest import Transports, running, settings_for
from services.exceptions.tests.kit import PUBLIC, types_by_exception, wait_for_events

pytestmark = pytest.mark.asyncio(loop_scope="module")


def exception_row(exception_id: str, status: str, ends_in: timedelta) -> PolicyException:
    """A stored exception ending ``ends_in`` from now."""
    now = datetime.now(UTC)
    return PolicyException(
        exception_id=exception_id,
        kind="resource",
        asset_ids=["arn:aws:s3:::logs"],
        policy_ids=[PUBLIC],
        reason="legacy site",
        requester="carol@example.com",
        approver="bob@example.com" if status == "active" else None,
        status=status,
        expires_at=now + ends_in,
        created_at=now - timedelta(days=1),
    )


async def seed(app: FastAPI, *rows: PolicyException) -> None:
    async with app.state.runtime.db.session() as session:
        session.add_all(rows)


async def loop_of(app: FastAPI, days: float = 7) -> ExpiryLoop:
    """A loop the test drives pass by pass; the app's own background loop is stopped first."""
    await app.state.expiry.stop()
    return ExpiryLoop(
        app.state.runtime, interval=60, expiring_soon_days=days, notices=app.state.notices
    )


async def test_warns_once_then_expires(tmp_path: Path, bus: MemoryBus, peers: Transports) -> None:
    settings = settings_for(tmp_path)
    async with running(settings, bus, peers) as (app, client):
        loop = await loop_of(app)
        await seed(
            app,
            exception_row("ex-soon", "active", timedelta(days=2)),
            exception_row("ex-later", "active", timedelta(days=20)),
            exception_row("ex-due", "active", timedelta(seconds=-1)),
            exception_row("ex-undecided", "pending", timedelta(seconds=-1)),
            exception_row("ex-pending-soon", "pending", timedelta(days=1)),
        )
        assert await loop.run_once() == (1, 2)
        assert await loop.run_once() == (0, 0)
        await wait_for_events(bus, 3)
        soon = (await client.get("/exceptions/ex-soon")).json()
        assert soon["status"] == "active"
        assert soon["expiring_soon_sent_at"] is not None
        assert soon["history"][-1]["action"] == "expiring_soon"
        assert (await client.get("/exceptions/ex-due")).json()["status"] == "expired"
        undecided = (await client.get("/exceptions/ex-undecided")).json()
        assert undecided["status"] == "expired"
        assert undecided["history"][-1]["detail"] == "expired before a decision"

    async with running(settings, bus, peers) as (app, client):  # a restart remembers the warning
        assert await (await loop_of(app)).run_once() == (0, 0)
        assert await (await loop_of(app, days=30)).run_once() == (
            1,
            0,
        )  # ex-later is now within reach
        async with app.state.runtime.db.session() as session:
            row = await session.get(PolicyException, "ex-soon")
            assert row is not None
            row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        assert await (await loop_of(app)).run_once() == (0, 1)
        await wait_for_events(bus, 5)
        assert types_by_exception(bus) == {
            "ex-soon": ["expiring_soon", "expired"],
            "ex-due": ["expired"],
            "ex-undecided": ["expired"],
            "ex-later": ["expiring_soon"],
        }
        revoke = await client.post(
            "/exceptions/ex-due/revoke",
            json={"reason": "late"},
            headers=as_user("carol@example.com", "viewer"),
        )
        assert revoke.status_code == 409


async def test_zero_days_never_warns(tmp_path: Path, bus: MemoryBus, peers: Transports) -> None:
    async with running(settings_for(tmp_path), bus, peers) as (app, _):
        loop = await loop_of(app, days=0)
        await seed(app, exception_row("ex-soon", "active", timedelta(hours=1)))
        assert await loop.run_once() == (0, 0)


async def test_the_running_service_expires_on_its_own(
    tmp_path: Path, bus: MemoryBus, peers: Transports
) -> None:
    settings = settings_for(tmp_path, expiry_poll_seconds=0.05, expiring_soon_days=1)
    async with running(settings, bus, peers) as (app, client):
        await seed(
            app,
            exception_row("ex-due", "active", timedelta(seconds=-1)),
            exception_row("ex-hour", "active", timedelta(hours=1)),
        )
        await wait_for_events(bus, 2)
        assert types_by_exception(bus) == {"ex-due": ["expired"], "ex-hour": ["expiring_soon"]}
        assert (await client.get("/exceptions/ex-due")).json()["status"] == "expired"
