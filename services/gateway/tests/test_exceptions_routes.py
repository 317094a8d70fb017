"""The gateway's exceptions routes: every call reaches the exceptions service with its path,
query, body and the caller's signed identity; end to end with the real exceptions app."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from pacbot.common.bus import MemoryBus
from pacbot.common.runtime import SharedInfra
from pacbot.exceptions.app import create_app as exceptions_app
from pacbot.exceptions.settings import ExceptionsSettings
from services.gateway.tests.conftest import key_for, running_gateway

Keys = dict[str, dict[str, str]]


def echo(request: httpx.Request) -> httpx.Response:
    """Answers with what reached it."""
    return httpx.Response(
        200,
        json={
            "method": request.method,
            "path": request.url.raw_path.decode(),
            "body": json.loads(request.content) if request.content else None,
            "token": request.headers.get("authorization", "").removeprefix("Bearer "),
            "forged": request.headers.get("x-pacbot-roles"),
        },
    )


async def gateway_over(
    tmp_path: Path, exceptions: httpx.AsyncBaseTransport
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient, Keys]]:
    async with running_gateway(tmp_path, {"exceptions": exceptions}) as app:
        keys = {
            "alice": await key_for(app, "security", subject="alice@example.com"),
            "bob": await key_for(app, "security", "viewer", subject="bob@example.com"),
            "carol": await key_for(app, "viewer", subject="carol@example.com"),
        }
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            yield app, client, keys


@pytest.fixture
async def echoing(tmp_path: Path) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient, Keys]]:
    async for running in gateway_over(tmp_path, httpx.MockTransport(echo)):
        yield running


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
async def test_every_route_forwards_path_body_and_signed_identity(
    echoing: tuple[FastAPI, httpx.AsyncClient, Keys],
    method: str,
    public: str,
    upstream: str,
    body: object,
) -> None:
    app, client, keys = echoing
    forged = {**keys["bob"], "X-PacBot-User": "mallory", "X-PacBot-Roles": "admin"}
    response = await client.request(method, public, json=body, headers=forged)
    assert response.status_code == 200, response.text
    seen = response.json()
    assert (seen["method"], seen["path"], seen["body"]) == (method, upstream, body)
    caller = app.state.runtime.tokens.verify(seen["token"], "exceptions")
    assert (caller.subject, caller.roles) == ("bob@example.com", frozenset({"security", "viewer"}))
    assert seen["forged"] is None  # identity headers from outside never pass through


@pytest.fixture
async def real(tmp_path: Path) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient, Keys]]:
    settings = ExceptionsSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/exceptions.db",
        bus="memory",
        expiry_poll_seconds=3600,
        log_json=False,
    )
    app = exceptions_app(settings, shared=SharedInfra(bus=MemoryBus()))
    async with app.router.lifespan_context(app):
        async for running in gateway_over(tmp_path, httpx.ASGITransport(app)):
            yield running


async def test_the_workflow_through_the_gateway(
    real: tuple[FastAPI, httpx.AsyncClient, Keys],
) -> None:
    _, client, keys = real
    alice, bob, carol = keys["alice"], keys["bob"], keys["carol"]
    body = {
        "asset_ids": ["arn:aws:s3:::site"],
        "policy_ids": ["*"],  # every policy: no assessor lookup needed here
        "reason": "public website",
        "expires_at": (datetime.now(UTC) + timedelta(days=10)).isoformat(),
    }
    assert (await client.post("/api/v1/exceptions", json=body)).status_code == 401
    created = await client.post("/api/v1/exceptions", json=body, headers=alice)
    assert created.status_code == 201, created.text
    exception_id = created.json()["exception_id"]
    approve = f"/api/v1/exceptions/{exception_id}/approve"

    own = await client.post(approve, headers={**alice, "X-PacBot-Roles": "admin"})
    assert own.status_code == 403
    assert "cannot approve" in own.json()["detail"]
    assert (await client.post(approve, headers=carol)).status_code == 403
    approved = await client.post(approve, headers=bob)
    assert approved.status_code == 200
    assert approved.json()["approver"] == "bob@example.com"

    pending = await client.get("/api/v1/exceptions", params={"status": "active"}, headers=carol)
    assert [i["exception_id"] for i in pending.json()["items"]] == [exception_id]
    detail = (await client.get(f"/api/v1/exceptions/{exception_id}", headers=carol)).json()
    assert [(h["action"], h["actor"]) for h in detail["history"]] == [
        ("requested", "alice@example.com"),
        ("approved", "bob@example.com"),
    ]
    revoke = f"/api/v1/exceptions/{exception_id}/revoke"
    assert (await client.post(revoke, json={"reason": "done"}, headers=alice)).status_code == 200
    conflict = await client.post(revoke, json={"reason": "again"}, headers=alice)
    assert conflict.status_code == 409
    reject = await client.post(
        f"/api/v1/exceptions/{exception_id}/reject", json={"reason": "late"}, headers=bob
    )
    assert reject.status_code == 409
