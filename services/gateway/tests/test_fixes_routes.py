"""The gateway's AutoFix routes: reads for viewers, every write for the security role, each call
reaching the autofix service with its path, query, body and the caller's signed identity."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from pacbot.common.problems import MEDIA_TYPE, problem_body
from services.gateway.tests.conftest import key_for, running_gateway

ACCOUNT = "111122223333"
OTHER = "444455556666"
ACCEPTED = {"/fixes", "/fixes/fp-1/rollback"}  # answered 202, as autofix does

READS = [
    ("/api/v1/fixes/catalog", "/fixes/catalog"),
    ("/api/v1/fixes/pauses?active=true", "/fixes/pauses?active=true"),
    (
        "/api/v1/fixes?status=waiting&violation_id=v-1&policy_id=p%2F1&account_id="
        f"{ACCOUNT}&kind=fix&limit=5&cursor=abc",
        f"/fixes?status=waiting&violation_id=v-1&policy_id=p%2F1&account_id={ACCOUNT}"
        "&kind=fix&limit=5&cursor=abc",
    ),
    ("/api/v1/fixes/fp-1", "/fixes/fp-1"),
]
WRITES = [
    ("/api/v1/fixes", "/fixes", {"violation_id": "v-1", "dry_run": True}),
    ("/api/v1/fixes/fp-1/rollback", "/fixes/fp-1/rollback", {"reason": "breaks the portal"}),
    ("/api/v1/fixes/fp-1/cancel", "/fixes/fp-1/cancel", {"reason": "exception requested"}),
    (
        "/api/v1/fixes/fp-1/postpone",
        "/fixes/fp-1/postpone",
        {"until": None, "seconds": 3600.0, "reason": "owner on leave"},
    ),
    (
        "/api/v1/fixes/pauses/aws-s3-bucket-public-access/resume",
        "/fixes/pauses/aws-s3-bucket-public-access/resume",
        None,
    ),
]


@dataclass
class FakeAutofix:
    """Records every call and answers like autofix: a plan echoing the call, or a problem."""

    seen: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        path = request.url.path
        if "fp-missing" in path:
            return _problem(404, "NotFound", "plan fp-missing not found", "plan_id")
        if "fp-done" in path:
            return _problem(409, "Conflict", "plan fp-done is applied", "plan_id")
        if path == "/fixes" and request.method == "GET":
            plans = [_plan("fp-1", ACCOUNT), _plan("fp-2", OTHER)]
            return httpx.Response(200, json={"items": plans, "next_cursor": None})
        if path == "/fixes/fp-2":
            return httpx.Response(200, json=_plan("fp-2", OTHER))
        status = 202 if request.method == "POST" and path in ACCEPTED else 200
        return httpx.Response(status, json={**_plan("fp-1", ACCOUNT), "echo": _echo(request)})


def _plan(plan_id: str, account_id: str) -> dict[str, Any]:
    return {"plan_id": plan_id, "account_id": account_id, "status": "waiting"}


def _echo(request: httpx.Request) -> dict[str, Any]:
    return {
        "method": request.method,
        "path": request.url.raw_path.decode(),
        "body": json.loads(request.content) if request.content else None,
    }


def _problem(status: int, error: str, detail: str, field_name: str) -> httpx.Response:
    body = problem_body(status, error, detail, field=field_name)
    return httpx.Response(status, json=body, headers={"content-type": MEDIA_TYPE})


@dataclass
class Running:
    """The gateway over the fake autofix, a client, and keys per persona."""

    app: FastAPI
    http: httpx.AsyncClient
    autofix: FakeAutofix
    keys: dict[str, dict[str, str]]

    def caller(self, request: httpx.Request) -> Any:
        """The principal the signed internal token of a forwarded call carries."""
        token = request.headers["authorization"].removeprefix("Bearer ")
        return self.app.state.runtime.tokens.verify(token, "autofix")


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    autofix = FakeAutofix()
    peers = {"autofix": httpx.MockTransport(autofix.handle)}
    async with running_gateway(tmp_path, peers) as app:
        keys = {
            "viewer": await key_for(app, "viewer", subject="vera@acme.example"),
            "owner": await key_for(app, "owner", subject="web@acme.example"),
            "security": await key_for(app, "security", subject="sam@acme.example"),
            "scoped": await key_for(
                app, "security", subject="scoped@acme.example", accounts=(ACCOUNT,)
            ),
        }
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as http:
            yield Running(app, http, autofix, keys)


@pytest.mark.parametrize(("public", "upstream"), READS)
async def test_a_viewer_reads_and_autofix_sees_the_viewer(
    running: Running, public: str, upstream: str
) -> None:
    response = await running.http.get(public, headers=running.keys["viewer"])

    assert response.status_code == 200, response.text
    sent = running.autofix.seen[-1]
    assert (sent.method, sent.url.raw_path.decode()) == ("GET", upstream)
    caller = running.caller(sent)
    assert (caller.subject, caller.roles) == ("vera@acme.example", frozenset({"viewer"}))


@pytest.mark.parametrize(("public", "upstream", "body"), WRITES)
async def test_a_viewer_is_refused_every_write_before_autofix(
    running: Running, public: str, upstream: str, body: Any
) -> None:
    for persona in ("viewer", "owner"):
        response = await running.http.post(public, json=body, headers=running.keys[persona])
        assert response.status_code == 403, (persona, response.text)
        assert response.headers["content-type"] == MEDIA_TYPE
        assert "security" in response.json()["detail"]
    assert running.autofix.seen == []


@pytest.mark.parametrize(("public", "upstream", "body"), WRITES)
async def test_a_security_write_reaches_autofix_with_body_and_identity(
    running: Running, public: str, upstream: str, body: Any
) -> None:
    forged = {**running.keys["security"], "X-PacBot-User": "mallory", "X-PacBot-Roles": "admin"}
    response = await running.http.post(public, json=body, headers=forged)

    assert response.status_code == (202 if upstream in ACCEPTED else 200), response.text
    assert response.json()["echo"] == {"method": "POST", "path": upstream, "body": body}
    (sent,) = running.autofix.seen
    caller = running.caller(sent)
    assert (caller.subject, caller.roles) == ("sam@acme.example", frozenset({"security"}))
    assert caller.credential.startswith("key:")
    assert "x-pacbot-user" not in sent.headers
    assert "x-pacbot-roles" not in sent.headers
    assert sent.headers["x-request-id"]


@pytest.mark.parametrize(
    ("method", "public", "body", "status"),
    [
        ("GET", "/api/v1/fixes/fp-missing", None, 404),
        ("POST", "/api/v1/fixes/fp-missing/cancel", {"reason": "x"}, 404),
        ("POST", "/api/v1/fixes/fp-done/rollback", {"reason": "x"}, 409),
        ("POST", "/api/v1/fixes/fp-done/postpone", {"seconds": 60, "reason": "x"}, 409),
    ],
)
async def test_autofix_problems_pass_through_as_they_are(
    running: Running, method: str, public: str, body: Any, status: int
) -> None:
    response = await running.http.request(
        method, public, json=body, headers=running.keys["security"]
    )

    assert response.status_code == status
    assert response.headers["content-type"] == MEDIA_TYPE
    assert response.json()["field"] == "plan_id"
    assert response.json()["status"] == status


async def test_ids_are_quoted_as_one_path_segment(running: Running) -> None:
    await running.http.get("/api/v1/fixes/fp%201%3Fx%3D1", headers=running.keys["viewer"])
    await running.http.post(
        "/api/v1/fixes/pauses/p%20%231/resume", headers=running.keys["security"]
    )
    paths = [r.url.raw_path.decode() for r in running.autofix.seen]
    assert paths == ["/fixes/fp%201%3Fx%3D1", "/fixes/pauses/p%20%231/resume"]
    slashed = await running.http.get(
        "/api/v1/fixes/a%2F..%2Fpauses", headers=running.keys["viewer"]
    )
    assert slashed.status_code == 404  # never another route of autofix
    assert len(running.autofix.seen) == 2


async def test_an_account_scoped_caller_sees_only_its_plans_and_cannot_write(
    running: Running,
) -> None:
    scoped = running.keys["scoped"]
    listed = await running.http.get("/api/v1/fixes", headers=scoped)
    assert [p["plan_id"] for p in listed.json()["items"]] == ["fp-1"]
    assert (await running.http.get("/api/v1/fixes/fp-2", headers=scoped)).status_code == 404
    assert (await running.http.get("/api/v1/fixes/catalog", headers=scoped)).status_code == 200
    assert (await running.http.get("/api/v1/fixes/pauses", headers=scoped)).status_code == 403
    before = len(running.autofix.seen)
    for public, _upstream, body in WRITES:
        response = await running.http.post(public, json=body, headers=scoped)
        assert response.status_code == 403, public
    assert len(running.autofix.seen) == before


async def test_an_owner_reads_no_fix_routes(running: Running) -> None:
    for public, _upstream in READS:
        response = await running.http.get(public, headers=running.keys["owner"])
        assert response.status_code == 403, public
    assert running.autofix.seen == []
