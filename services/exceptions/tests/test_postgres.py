"""On a real PostgreSQL: revision 0002 over existing rows (and back), the workflow and expiry."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from pacbot.cli.devstack import StackInfo
from pacbot.common.bus import MemoryBus
from pacbot.common.db import Database
from pacbot.exceptions.app import MIGRATIONS
from pacbot.exceptions.settings import ExceptionsSettings
from services.exceptions.tests.conftest import Transports, running
from services.exceptions.tests.kit import (
    ALICE,
    BOB,
    PUBLIC,
    resource_body,
    types_by_exception,
    wait_for_events,
)
from services.exceptions.tests.test_expiry import loop_of

pytestmark = [pytest.mark.real, pytest.mark.asyncio(loop_scope="module")]


class SchemaSettings(ExceptionsSettings):
    """Exceptions settings whose PostgreSQL schema is this test's own."""

    schema_name: str = "exceptions"

    @property
    def db_schema(self) -> str:
        return self.schema_name


@pytest_asyncio.fixture(loop_scope="module")
async def database(stack: StackInfo, unique: str) -> AsyncIterator[Database]:
    db = Database(stack.postgres_url, schema=f"exc_{unique}")
    await db.create_schema()
    yield db
    async with db.engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "exc_{unique}" CASCADE'))
    await db.dispose()


async def migrate(db: Database, verb: str, revision: str) -> None:
    def run(sync_connection: object) -> None:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = sync_connection
        getattr(command, verb)(config, revision)

    async with db.engine.begin() as conn:
        await conn.run_sync(run)


async def test_revision_0002_indexes_and_narrates_existing_exceptions(database: Database) -> None:
    await migrate(database, "upgrade", "0001")
    created = datetime(2026, 1, 1, tzinfo=UTC)
    async with database.engine.begin() as conn:
        for exception_id, status, revoked_by in (
            ("ex-active", "active", None),
            ("ex-revoked", "revoked", "bob"),
        ):
            await conn.execute(
                text(
                    "INSERT INTO exceptions (exception_id, kind, asset_ids, policy_ids, reason, "
                    "requester, status, expires_at, created_at, revoked_at, revoked_by) VALUES "
                    "(:id, 'resource', '[\"a1\"]', '[\"p1\", \"p2\"]', 'legacy', 'alice', "
                    ":status, :expires, :created, :revoked_at, :revoked_by)"
                ),
                {
                    "id": exception_id,
                    "status": status,
                    "expires": created + timedelta(days=90),
                    "created": created,
                    "revoked_at": created + timedelta(days=1) if revoked_by else None,
                    "revoked_by": revoked_by,
                },
            )
    await migrate(database, "upgrade", "head")
    async with database.engine.connect() as conn:
        policies = (
            await conn.execute(
                text("SELECT exception_id, policy_id FROM exception_policies ORDER BY 1, 2")
            )
        ).all()
        history = (
            await conn.execute(
                text("SELECT exception_id, action, actor FROM exception_history ORDER BY id")
            )
        ).all()
        decided = (
            await conn.execute(text("SELECT decided_at FROM exceptions WHERE status = 'active'"))
        ).scalar_one()
    assert [tuple(r) for r in policies] == [
        ("ex-active", "p1"),
        ("ex-active", "p2"),
        ("ex-revoked", "p1"),
        ("ex-revoked", "p2"),
    ]
    assert [tuple(r) for r in history if r[0] == "ex-revoked"] == [
        ("ex-revoked", "requested", "alice"),
        ("ex-revoked", "approved", None),
        ("ex-revoked", "revoked", "bob"),
    ]
    assert [r[1] for r in history if r[0] == "ex-active"] == ["requested", "approved"]
    assert decided == created

    await migrate(database, "downgrade", "0001")
    await migrate(database, "upgrade", "head")
    async with database.engine.connect() as conn:
        count = (await conn.execute(text("SELECT count(*) FROM exception_history"))).scalar_one()
    assert count == 5


async def test_workflow_and_expiry_loop_on_postgres(
    stack: StackInfo, unique: str, tmp_path: Path, peers: Transports
) -> None:
    schema = f"exc_{unique}"
    settings = SchemaSettings(
        database_url=stack.postgres_url,
        schema_name=schema,
        bus="memory",
        expiry_poll_seconds=3600,
        outbox_poll_seconds=0.02,
        log_json=False,
    )
    bus = MemoryBus()
    try:
        async with running(settings, bus, peers) as (app, client):
            loop = await loop_of(app)
            created = await client.post("/exceptions", json=resource_body(), headers=ALICE)
            assert created.status_code == 201, created.text
            exception_id = created.json()["exception_id"]
            approved = await client.post(f"/exceptions/{exception_id}/approve", headers=BOB)
            assert approved.status_code == 200
            listed = await client.get("/exceptions", params={"policy_id": PUBLIC})
            assert [i["exception_id"] for i in listed.json()["items"]] == [exception_id]
            assert (await client.get("/exceptions", params={"policy_id": "p9"})).json()[
                "total"
            ] == 0

            assert await loop.run_once() == (1, 0)
            assert await loop.run_once() == (0, 0)
            async with app.state.runtime.db.session() as session:
                await session.execute(
                    text("UPDATE exceptions SET expires_at = :at"),
                    {"at": datetime.now(UTC) - timedelta(seconds=1)},
                )
            assert await loop.run_once() == (0, 1)
            await wait_for_events(bus, 4)
            assert types_by_exception(bus) == {
                exception_id: ["requested", "granted", "expiring_soon", "expired"]
            }
            detail = (await client.get(f"/exceptions/{exception_id}")).json()
            assert [h["action"] for h in detail["history"]] == [
                "requested",
                "approved",
                "expiring_soon",
                "expired",
            ]
    finally:
        db = Database(stack.postgres_url, schema=schema)
        async with db.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await db.dispose()
