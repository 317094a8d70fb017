"""OIDC bearer tokens at the front door: a real issuer on loopback, the whole gateway in front
of a peer; the signed internal token carries the token's subject, mapped roles and groups."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI

from services.gateway.tests.conftest import running_gateway
from services.gateway.tests.test_oidc import AUDIENCE, ROLE_MAP, Issuer, issuer, signing_keys

__all__ = ["issuer", "signing_keys"]  # fixtures shared with the verifier's own tests


@pytest.fixture
async def app(tmp_path: Path, issuer: Issuer) -> AsyncIterator[tuple[FastAPI, list[httpx.Request]]]:
    seen: list[httpx.Request] = []

    def peer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"items": [], "total": 0})

    peers: dict[str, httpx.AsyncBaseTransport] = {"violations": httpx.MockTransport(peer)}
    async with running_gateway(
        tmp_path,
        peers,
        oidc_issuer=issuer.url,
        oidc_audience=AUDIENCE,
        oidc_role_map=ROLE_MAP,
    ) as gateway:
        yield gateway, seen


async def call(app: FastAPI, token: str, path: str = "/api/v1/violations") -> httpx.Response:
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as http:
        return await http.get(path, headers={"Authorization": f"Bearer {token}"})


async def test_a_valid_token_reaches_the_service_as_its_subject(
    app: tuple[FastAPI, list[httpx.Request]], issuer: Issuer
) -> None:
    gateway, seen = app
    response = await call(gateway, issuer.token())
    assert response.status_code == 200, response.text
    inner = seen[-1].headers["authorization"].split()[1]
    caller = gateway.state.runtime.tokens.verify(inner, "violations")
    assert caller.subject == "ana@example.com"
    assert caller.roles == frozenset({"viewer", "security"})
    assert "sec-team" in caller.groups
    assert caller.credential == "oidc:tok-1"
    me = (await call(gateway, issuer.token(), "/api/v1/me")).json()
    assert me["roles"] == ["security", "viewer"]


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"exp": 1}, "expired"),
        ({"aud": "someone-else"}, "audience"),
        ({"iss": "https://evil.example"}, "not issued by"),
        ({"roles": [], "groups": ["eng"]}, "no PacBot role"),
    ],
)
async def test_bad_tokens_are_401_and_reach_nothing(
    app: tuple[FastAPI, list[httpx.Request]], issuer: Issuer, claims: dict[str, Any], reason: str
) -> None:
    gateway, seen = app
    response = await call(gateway, issuer.token(**claims))
    assert response.status_code == 401
    assert reason in response.json()["detail"]
    assert seen == []


async def test_unsigned_and_unknown_key_tokens_are_refused(
    app: tuple[FastAPI, list[httpx.Request]], issuer: Issuer
) -> None:
    gateway, seen = app
    none = jwt.encode({"sub": "x", "aud": AUDIENCE, "iss": issuer.url}, None, algorithm="none")
    assert (await call(gateway, none)).status_code == 401
    unknown = issuer.token(kid="nobody", key=issuer.keys["rsa-1"])
    refused = await call(gateway, unknown)
    assert refused.status_code == 401
    assert "nobody" in refused.json()["detail"] or "key" in refused.json()["detail"]
    assert seen == []
