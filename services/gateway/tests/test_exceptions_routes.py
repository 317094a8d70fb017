"""The gateway's exceptions routes: every call reaches the exceptions service with its path,
query, body and the caller's identity headers; end to end with the real exceptions app."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from pacbot.common.bus import MemoryBus
from pacbot.common.runtime import SharedInfra
from pacbot.exceptions.app import create_app as exceptions_app
from pacbot.exceptions.settings import ExceptionsSettings
from pacbot.gateway.app import create_app
from pacbot.gateway.settings import GatewaySettings

ALICE = {"X-PacBot-User": "alice@example.com"}
BOB = {"X-PacBot-User": "bob@example.com", "X-PacBot-Roles": "approver"}


def echo(request: httpx.Request) -> httpx.Response:
    """Answers with what reached it."""
    return httpx.Response(
        200,
        json={
            "method": request.method,
            "path": request.url.raw_path.decode(),
            "body": json.loads(request.content) if request.content else None,
            "user": request.headers.get("x-pacbot-user"),
            "roles": request.headers.get("x-pacbot-roles"),
        },
    )


async def gateway_over(
    tmp_path: Path, exceptions: httpx.AsyncBaseTransport
) -> AsyncIterator[httpx.AsyncClient]:
    settings = GatewaySettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/gateway.db", bus="memory", log_json=False
    )
    app = create_app(
        settings, shared=SharedInfra(bus=MemoryBus(), transports={"exceptions": exceptions})
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            yield client


@pytest.fixture
async def echoing(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for client in gateway_over(tmp_path, httpx.MockTransport(echo)):
        yield client


@pytest.mark.parametrize(
    ("method", "public", "upstream", "body"),
    [
        (
            "GET",
            "/api/v1/exceptions?status=pending&policy_id=p%2F1",
            "/exceptions?status=pending&policy_id=p%2F1",
            None,
        ),
        (
            "POST",
            "/api/v1/exceptions",
            "/exceptions",
            {"kind": "sticky", "criteria": {"regions": ["eu-west-1"]}},
        ),
        ("GET", "/api/v1/exceptions/ex-1", "/exceptions/ex-1", None),
        (
            "POST",
            "/api/v1/exceptions/preview?limit=5",
            "/exceptions/preview?limit=5",
            {"kind": "resource"},
        ),
        ("POST", "/api/v1/exceptions/ex-1/approve", "/exceptions/ex-1/approve", {"comment": "ok"}),
        ("POST", "/api/v1/exceptions/ex-1/reject", "/exceptions/ex-1/reject", {"reason": "no"}),
        ("POST", "/api/v1/exceptions/ex-1/revoke", "/exceptions/ex-1/revoke", {"reason": "done"}),
    ],
)
async def test_every_route_forwards_path_body_and_identity(
    echoing: httpx.AsyncClient, method: str, public: str, upstream: str, body: object
) -> None:
    response = await echoing.request(method, public, json=body, headers=BOB)
    assert response.status_code == 200, response.text
    seen = response.json()
    assert (seen["method"], seen["path"], seen["body"]) == (method, upstream, body)
    assert (seen["user"], seen["roles"]) == ("bob@example.com", "approver")


async def test_without_identity_headers_none_are_invented(echoing: httpx.AsyncClient) -> None:
    seen = (await echoing.post("/api/v1/exceptions/ex-1/approve")).json()
    assert (seen["user"], seen["roles"], seen["body"]) == (None, None, None)


@pytest.fixture
async def real(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = ExceptionsSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/exceptions.db",
        bus="memory",
        expiry_poll_seconds=3600,
        log_json=False,
    )
    app = exceptions_app(settings, shared=SharedInfra(bus=MemoryBus()))
    async with app.router.lifespan_context(app):
        async for client in gateway_over(tmp_path, httpx.ASGITransport(app)):
            yield client


async def test_the_workflow_through_the_gateway(real: httpx.AsyncClient) -> None:
    body = {
        "asset_ids": ["arn:aws:s3:::site"],
        "policy_ids": ["*"],  # every policy: no assessor lookup needed here
        "reason": "public website",
        "expires_at": (datetime.now(UTC) + timedelta(days=10)).isoformat(),
    }
    assert (await real.post("/api/v1/exceptions", json=body)).status_code == 401
    created = await real.post("/api/v1/exceptions", json=body, headers=ALICE)
    assert created.status_code == 201, created.text
    exception_id = created.json()["exception_id"]
    approve = f"/api/v1/exceptions/{exception_id}/approve"

    own = await real.post(approve, headers={**ALICE, "X-PacBot-Roles": "approver"})
    assert own.status_code == 403
    assert "cannot approve" in own.json()["detail"]
    assert (await real.post(approve, headers=ALICE)).status_code == 403
    approved = await real.post(approve, headers=BOB)
    assert approved.status_code == 200
    assert approved.json()["approver"] == "bob@example.com"

    pending = await real.get("/api/v1/exceptions", params={"status": "active"})
    assert [i["exception_id"] for i in pending.json()["items"]] == [exception_id]
    detail = (await real.get(f"/api/v1/exceptions/{exception_id}")).json()
    assert [(h["action"], h["actor"]) for h in detail["history"]] == [
        ("requested", "alice@example.com"),
        ("approved", "bob@example.com"),
    ]
    revoke = f"/api/v1/exceptions/{exception_id}/revoke"
    assert (await real.post(revoke, json={"reason": "done"}, headers=ALICE)).status_code == 200
    conflict = await real.post(revoke, json={"reason": "again"}, headers=ALICE)
    assert conflict.status_code == 409
    reject = await real.post(
        f"/api/v1/exceptions/{exception_id}/reject", json={"reason": "late"}, headers=BOB
    )
    assert reject.status_code == 409
