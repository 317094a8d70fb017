"""The front door: no route open without a credential, keys, sessions with CSRF, local mode,
rate limits, forged identity headers, scope narrowing, and what reaches the services."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from pacbot.common.auth import InternalTokens
from pacbot.gateway.app import create_app, route_table
from pacbot.gateway.settings import GatewaySettings
from services.gateway.tests.conftest import key_for, running_gateway

Seen = list[httpx.Request]


def peer(seen: Seen) -> httpx.MockTransport:
    """A peer that records each call and answers with assets/violations in two accounts."""

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path in ("/accounts", "/plans"):
            items = [{"account_id": "111111111111"}, {"account_id": "222222222222"}]
            return httpx.Response(200, json={"items": items, "total": 2})
        if request.url.path.startswith("/violations/"):
            account = request.url.path.rsplit("-", 1)[-1]
            return httpx.Response(
                200, json={"violation_id": "v", "account_id": account, "owner": "alice@x"}
            )
        return httpx.Response(200, json={"items": [], "total": 0})

    return httpx.MockTransport(handle)


@pytest.fixture
def seen() -> Seen:
    return []


async def started(tmp_path: Path, seen: Seen, **overrides: Any) -> AsyncIterator[FastAPI]:
    transport = peer(seen)
    transports: dict[str, httpx.AsyncBaseTransport] = {
        name: transport for name in ("inventory", "assessor", "violations", "exceptions", "autofix")
    }
    async with running_gateway(tmp_path, transports, cookie_secure=False, **overrides) as app:
        yield app


@pytest.fixture
async def app(tmp_path: Path, seen: Seen) -> AsyncIterator[FastAPI]:
    async for running in started(tmp_path, seen):
        yield running


def client(app: FastAPI, **kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://gw", **kwargs)


def concrete(path: str) -> str:
    return path.replace("{", "x-").replace("}", "")


async def test_no_credential_is_401_on_every_route_but_sign_in(app: FastAPI, seen: Seen) -> None:
    routes = route_table(app)
    assert len(routes) >= 50
    async with client(app) as http:
        for method, path in routes:
            response = await http.request(method, concrete(path), json={})
            if (method, path) == ("POST", "/api/v1/session"):
                assert response.status_code == 422  # needs a key in the body
                continue
            assert response.status_code == 401, (method, path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["type"].endswith("/unauthenticated")
    assert seen == []  # nothing reached a service


async def test_forged_identity_headers_change_nothing(app: FastAPI, seen: Seen) -> None:
    viewer = await key_for(app, "viewer", subject="vera@x")
    forged = {**viewer, "X-PacBot-User": "root", "X-PacBot-Roles": "admin,security"}
    async with client(app, headers=forged) as http:
        patch = await http.patch("/api/v1/policies/p1", json={"enabled": False})
        assert patch.status_code == 403
        assert "vera@x holds ['viewer']" in patch.json()["detail"]
        assert (await http.get("/api/v1/violations")).status_code == 200
    sent = seen[-1]
    assert "x-pacbot-user" not in sent.headers
    assert "x-pacbot-roles" not in sent.headers
    tokens: InternalTokens = app.state.runtime.tokens
    principal = tokens.verify(sent.headers["authorization"].split()[1], "violations")
    assert (principal.subject, principal.roles) == ("vera@x", frozenset({"viewer"}))
    assert principal.credential.startswith("key:")
    assert sent.headers["x-request-id"]


async def test_bad_credentials_are_401_with_a_reason(app: FastAPI) -> None:
    admin = await key_for(app, "admin")
    token = admin["Authorization"].split()[1]
    cases = {
        "Basic dXNlcjpwYXNz": "Bearer",
        "Bearer pbk_nope": "malformed",
        "Bearer pbk_0000000000000000_wrongsecret": "not valid",
        f"Bearer {token[:-2]}xx": "not valid",
        "Bearer eyJhbGciOiJub25lIn0.e30.": "OIDC is not enabled",
    }
    async with client(app) as http:
        for header, reason in cases.items():
            response = await http.get("/api/v1/me", headers={"Authorization": header})
            assert response.status_code == 401, header
            assert reason in response.json()["detail"]


async def test_key_lifecycle_shown_once_hashed_rotated_revoked(app: FastAPI) -> None:
    admin = await key_for(app, "admin", subject="ada@x")
    async with client(app, headers=admin) as http:
        made = await http.post(
            "/api/v1/keys", json={"name": "ci", "roles": ["viewer"], "expires_in_days": 7}
        )
        assert made.status_code == 201, made.text
        token, key_id = made.json()["token"], made.json()["key_id"]
        assert made.json()["created_by"] == "ada@x"
        listed = (await http.get("/api/v1/keys")).json()["items"]
        assert all("token" not in k and "secret_hash" not in k for k in listed)
        async with app.state.runtime.db.session() as session:
            from pacbot.gateway.models import ApiKey

            stored = await session.get(ApiKey, key_id)
            assert stored is not None
            assert token.split("_", 2)[2] not in stored.secret_hash  # the secret may hold "_"
        ci = {"Authorization": f"Bearer {token}"}
        me = await http.get("/api/v1/me", headers=ci)
        assert me.json()["roles"] == ["viewer"]
        assert (await http.get(f"/api/v1/keys/{key_id}")).json()["last_used_at"] is not None

        rotated = await http.post(f"/api/v1/keys/{key_id}/rotate")
        assert rotated.status_code == 201
        assert (await http.get("/api/v1/me", headers=ci)).status_code == 401  # no overlap asked
        fresh = {"Authorization": f"Bearer {rotated.json()['token']}"}
        assert (await http.get("/api/v1/me", headers=fresh)).status_code == 200
        revoked = await http.post(f"/api/v1/keys/{rotated.json()['key_id']}/revoke")
        assert revoked.json()["revoked_by"] == "ada@x"
        gone = await http.get("/api/v1/me", headers=fresh)
        assert gone.status_code == 401
        assert "revoked" in gone.json()["detail"]

        too_long = await http.post(
            "/api/v1/keys", json={"name": "x", "roles": ["viewer"], "expires_in_days": 9999}
        )
        assert too_long.status_code == 422
        assert too_long.json()["field"] == "expires_in_days"
        bad_role = await http.post("/api/v1/keys", json={"name": "x", "roles": ["root"]})
        assert bad_role.status_code == 422
        assert bad_role.json()["field"] == "roles"


async def test_scoped_admin_cannot_mint_a_wider_key(app: FastAPI) -> None:
    scoped = await key_for(app, "admin", accounts=("111111111111",))
    async with client(app, headers=scoped) as http:
        wider = await http.post("/api/v1/keys", json={"name": "x", "roles": ["viewer"]})
        assert wider.status_code == 403
        narrow = await http.post(
            "/api/v1/keys", json={"name": "x", "roles": ["viewer"], "accounts": ["111111111111"]}
        )
        assert narrow.status_code == 201


async def test_session_cookie_needs_csrf_on_writes_and_dies_with_its_key(app: FastAPI) -> None:
    admin = await key_for(app, "admin", subject="ada@x")
    async with client(app) as http:
        wrong = await http.post("/api/v1/session", json={"api_key": "pbk_x_y"})
        assert wrong.status_code == 401
        opened = await http.post(
            "/api/v1/session", json={"api_key": admin["Authorization"].split()[1]}
        )
        assert opened.status_code == 200, opened.text
        cookie = opened.headers.get_list("set-cookie")
        session_cookie = next(c for c in cookie if c.startswith("pacbot_session="))
        assert "HttpOnly" in session_cookie
        assert "SameSite=strict" in session_cookie
        csrf = opened.json()["csrf_token"]
        assert (await http.get("/api/v1/me")).json()["credential"].startswith("session:")
        body = {"name": "k", "roles": ["viewer"]}
        no_csrf = await http.post("/api/v1/keys", json=body)
        assert no_csrf.status_code == 401
        assert "X-CSRF-Token" in no_csrf.json()["detail"]
        bad_csrf = await http.post("/api/v1/keys", json=body, headers={"X-CSRF-Token": "x"})
        assert bad_csrf.status_code == 401
        made = await http.post("/api/v1/keys", json=body, headers={"X-CSRF-Token": csrf})
        assert made.status_code == 201
        key_id = (await http.get("/api/v1/me")).json()["credential"].split(":")[1]
        revoke = await http.post(f"/api/v1/keys/{key_id}/revoke", headers={"X-CSRF-Token": csrf})
        assert revoke.status_code == 200
        assert (await http.get("/api/v1/me")).status_code == 401  # the session ended with it


async def test_local_mode_only_on_loopback(tmp_path: Path, seen: Seen) -> None:
    with pytest.raises(ValueError, match=r"only listens on 127\.0\.0\.1"):
        create_app(GatewaySettings(auth_mode="local", host="0.0.0.0", bus="memory"))
    async for app in started(tmp_path, seen, auth_mode="local"):
        async with client(app) as http:
            me = await http.get("/api/v1/me")
            assert me.json()["subject"] == "local-admin"


async def test_rate_limit_is_429_with_retry_after(tmp_path: Path, seen: Seen) -> None:
    async for app in started(tmp_path, seen, rate_limit_per_minute=3):
        viewer = await key_for(app, "viewer")
        other = await key_for(app, "viewer")
        async with client(app) as http:
            codes = [(await http.get("/api/v1/me", headers=viewer)).status_code for _ in range(4)]
            assert codes == [200, 200, 200, 429]
            limited = await http.get("/api/v1/me", headers=viewer)
            assert int(limited.headers["retry-after"]) >= 1
            assert (await http.get("/api/v1/me", headers=other)).status_code == 200


async def test_scoped_callers_are_narrowed(app: FastAPI, seen: Seen) -> None:
    scoped = await key_for(app, "viewer", accounts=("111111111111",))
    async with client(app, headers=scoped) as http:
        await http.get("/api/v1/violations", params={"status": "open"})
        assert seen[-1].url.params.get_list("account_id") == ["111111111111"]
        outside = await http.get("/api/v1/violations", params={"account_id": "222222222222"})
        assert outside.status_code == 403
        accounts = (await http.get("/api/v1/accounts")).json()
        assert accounts == {"items": [{"account_id": "111111111111"}], "total": 1}
        assert (await http.get("/api/v1/violations/v-111111111111")).status_code == 200
        assert (await http.get("/api/v1/violations/v-222222222222")).status_code == 404
        assert (await http.post("/api/v1/scans", json={})).status_code == 403


async def test_owner_sees_only_their_own(app: FastAPI, seen: Seen) -> None:
    owner = await key_for(app, "owner", subject="alice@x", groups=("payments",))
    async with client(app, headers=owner) as http:
        await http.get("/api/v1/violations")
        assert sorted(seen[-1].url.params.get_list("owner")) == ["alice@x", "payments"]
        assert (await http.get("/api/v1/violations", params={"owner": "bob@x"})).status_code == 403
        assert (await http.get("/api/v1/compliance/summary")).status_code == 403
        await http.get("/api/v1/assets/search", params={"q": "logs"})
        assert sorted(seen[-1].url.params.get_list("tag")) == ["Owner=alice@x", "Owner=payments"]
        theirs = await http.get("/api/v1/assets/search", params={"tag": "Owner=bob@x"})
        assert theirs.status_code == 403
        assert (await http.get("/api/v1/assets")).status_code == 403


async def test_request_ids_are_echoed_or_made(app: FastAPI) -> None:
    viewer = await key_for(app, "viewer")
    async with client(app, headers=viewer) as http:
        given = await http.get("/api/v1/me", headers={"X-Request-ID": "trace-123"})
        assert given.headers["x-request-id"] == "trace-123"
        made = await http.get("/api/v1/me", headers={"X-Request-ID": "bad id with spaces"})
        assert made.headers["x-request-id"] != "bad id with spaces"
        assert len(made.headers["x-request-id"]) == 32


async def test_body_size_is_limited(app: FastAPI) -> None:
    admin = await key_for(app, "admin")
    async with client(app, headers=admin) as http:
        big = json.dumps({"name": "x" * 2_000_000, "roles": ["viewer"]})
        response = await http.post(
            "/api/v1/keys", content=big, headers={"content-type": "application/json"}
        )
        assert response.status_code == 413
        assert response.json()["type"].endswith("/payload-too-large")


async def test_refused_calls_are_audited_with_who_tried(app: FastAPI) -> None:
    viewer = await key_for(app, "viewer", subject="vera@x")
    security = await key_for(app, "security", subject="sam@x")
    async with client(app) as http:
        await http.patch("/api/v1/policies/p1", json={"enabled": False}, headers=viewer)
        await http.post("/api/v1/scans", json={})
        audit = await http.get("/api/v1/audit", params={"outcome": "denied"}, headers=security)
        rows = [(e["actor"], e["route"], e["status"]) for e in audit.json()["items"]]
        assert rows == [
            (None, "/api/v1/scans", 401),
            ("vera@x", "/api/v1/policies/{policy_id}", 403),
        ]
        page = await http.get("/api/v1/audit", params={"limit": 1}, headers=security)
        assert len(page.json()["items"]) == 1
        assert page.json()["next_cursor"]
        rest = await http.get(
            "/api/v1/audit",
            params={"limit": 1, "cursor": page.json()["next_cursor"]},
            headers=security,
        )
        assert rest.json()["items"][0]["id"] < page.json()["items"][0]["id"]
        forged = await http.get("/api/v1/audit", params={"cursor": "zzz"}, headers=security)
        assert forged.status_code == 400
        other_query = await http.get(
            "/api/v1/audit",
            params={"cursor": page.json()["next_cursor"], "actor": "vera@x"},
            headers=security,
        )
        assert other_query.status_code == 400
        assert "another query" in other_query.json()["detail"]


async def test_group_scoped_callers_read_their_groups_only(app: FastAPI, seen: Seen) -> None:
    scoped = await key_for(app, "viewer", asset_groups=("payments",))
    async with client(app, headers=scoped) as http:
        await http.get("/api/v1/compliance/summary")
        assert seen[-1].url.params.get_list("group") == ["payments"]
        other = await http.get("/api/v1/compliance/summary", params={"group": "web"})
        assert other.status_code == 403
        assert (await http.get("/api/v1/groups/payments/assets")).status_code == 200
        assert (await http.get("/api/v1/groups/web/assets")).status_code == 403
        await http.get("/api/v1/violations")
        assert seen[-1].url.path == "/violations"
        assert seen[-1].url.params.get_list("group") == ["payments"]
        listing = await http.get("/api/v1/violations", params={"group": "web"})
        assert listing.status_code == 403
        await http.get("/api/v1/violations/export.csv", params={"group": "payments"})
        assert seen[-1].url.params.get_list("group") == ["payments"]
        assert (await http.get("/api/v1/results")).status_code == 403
        assert (await http.get("/api/v1/groups")).status_code == 403
