"""The exceptions service on embedded adapters: validation, grant, revoke and expiry events."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from pacbot.common.bus import MemoryBus
from pacbot.common.events import EXCEPTIONS_TOPIC, Envelope, ExceptionChanged
from pacbot.common.runtime import SharedInfra
from pacbot.common.testing import eventually
from pacbot.exceptions.app import create_app
from pacbot.exceptions.models import PolicyException
from pacbot.exceptions.settings import ExceptionsSettings


@pytest.fixture
def bus() -> MemoryBus:
    return MemoryBus()


@pytest.fixture
async def app(tmp_path: Path, bus: MemoryBus) -> AsyncIterator[FastAPI]:
    settings = ExceptionsSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/exceptions.db",
        bus="memory",
        max_days=30,
        expiry_poll_seconds=0.05,
        log_json=False,
    )
    application = create_app(settings, shared=SharedInfra(bus=bus))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://exceptions") as http:
        yield http


def _request(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "asset_ids": ["arn:aws:s3:::logs"],
        "policy_ids": ["aws-s3-public-access-block"],
        "reason": "static website, public on purpose",
        "requester": "alice@example.com",
        "expires_at": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
    }
    body.update(overrides)
    return body


def _events(bus: MemoryBus) -> list[tuple[str | None, ExceptionChanged]]:
    out = []
    for message in bus.messages(EXCEPTIONS_TOPIC):
        envelope = Envelope.decode(message.value)
        out.append((message.key, envelope.payload_as(ExceptionChanged)))
    return out


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"asset_ids": []}, "asset_ids"),
        ({"policy_ids": []}, "policy_ids"),
        ({"policy_ids": ["p1", "  "]}, "policy_ids"),
        ({"reason": "   "}, "reason"),
        ({"requester": ""}, "requester"),
        ({"expires_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat()}, "expires_at"),
        ({"expires_at": (datetime.now(UTC) + timedelta(days=31)).isoformat()}, "expires_at"),
    ],
)
async def test_invalid_requests_name_the_field_and_change_nothing(
    client: httpx.AsyncClient, bus: MemoryBus, overrides: dict[str, Any], field: str
) -> None:
    response = await client.post("/exceptions", json=_request(**overrides))
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert field in response.json()["detail"]
    listed = await client.get("/exceptions")
    assert listed.json() == {"items": [], "total": 0}
    assert _events(bus) == []


async def test_missing_field_is_a_4xx_naming_it(client: httpx.AsyncClient) -> None:
    body = _request()
    del body["expires_at"]
    response = await client.post("/exceptions", json=body)
    assert response.status_code == 422
    assert "expires_at" in json.dumps(response.json())


async def test_grant_stores_and_emits_granted(client: httpx.AsyncClient, bus: MemoryBus) -> None:
    response = await client.post(
        "/exceptions", json=_request(asset_ids=["a1", " a1 ", "a2"], reason=" why ")
    )
    assert response.status_code == 201
    created = response.json()
    assert created["status"] == "active"
    assert created["kind"] == "resource"
    assert created["asset_ids"] == ["a1", "a2"]
    assert created["reason"] == "why"
    assert created["revoked_at"] is None

    fetched = await client.get(f"/exceptions/{created['exception_id']}")
    assert fetched.json() == created
    events = await eventually(lambda: _async(_events(bus)), timeout=5, what="granted event")
    assert len(events) == 1
    key, event = events[0]
    assert key == created["exception_id"]
    assert event.event_type == "pacbot.exception.granted"
    assert event.asset_ids == ["a1", "a2"]
    assert event.expires_at == datetime.fromisoformat(created["expires_at"])


async def test_revoke_emits_revoked_and_conflicts_when_not_active(
    client: httpx.AsyncClient, bus: MemoryBus
) -> None:
    exception_id = (await client.post("/exceptions", json=_request())).json()["exception_id"]
    revoked = await client.post(f"/exceptions/{exception_id}/revoke", json={"by": "bob"})
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    assert revoked.json()["revoked_by"] == "bob"
    assert revoked.json()["revoked_at"] is not None

    again = await client.post(f"/exceptions/{exception_id}/revoke", json={"by": "bob"})
    assert again.status_code == 409
    missing = await client.post("/exceptions/ex-nope/revoke", json={"by": "bob"})
    assert missing.status_code == 404
    assert (await client.get("/exceptions/ex-nope")).status_code == 404

    types = await eventually(
        lambda: _async([e.event_type for _, e in _events(bus)] if len(_events(bus)) == 2 else []),
        timeout=5,
        what="two events",
    )
    assert types == ["pacbot.exception.granted", "pacbot.exception.revoked"]
    active = await client.get("/exceptions", params={"status": "active"})
    assert active.json()["total"] == 0
    assert (await client.get("/exceptions", params={"status": "bogus"})).status_code == 422


async def test_due_exception_expires_and_emits_expired(
    app: FastAPI, client: httpx.AsyncClient, bus: MemoryBus
) -> None:
    now = datetime.now(UTC)
    async with app.state.runtime.db.session() as session:
        session.add(
            PolicyException(
                exception_id="ex-due",
                kind="resource",
                asset_ids=["a1"],
                policy_ids=["p1"],
                reason="legacy",
                requester="carol",
                status="active",
                expires_at=now - timedelta(seconds=1),
                created_at=now - timedelta(days=1),
            )
        )
    not_due = (await client.post("/exceptions", json=_request())).json()["exception_id"]

    async def expired_status() -> str | None:
        status = (await client.get("/exceptions/ex-due")).json()["status"]
        return status if status == "expired" else None

    await eventually(expired_status, timeout=5, what="ex-due expired")
    expired = await eventually(
        lambda: _async([e for _, e in _events(bus) if e.event_type.endswith("expired")]),
        timeout=5,
        what="expired event",
    )
    assert [e.exception_id for e in expired] == ["ex-due"]
    assert (await client.get(f"/exceptions/{not_due}")).json()["status"] == "active"
    revoke = await client.post("/exceptions/ex-due/revoke", json={"by": "bob"})
    assert revoke.status_code == 409


async def _async(value: Any) -> Any:
    return value
