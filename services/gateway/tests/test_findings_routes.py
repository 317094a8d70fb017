"""The findings routes through the gateway: the asset id travels encoded, a scoped or owner-only
caller sees only its own assets' findings, and the rollup is narrowed to the caller's accounts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.gateway.tests.conftest import key_for, running_gateway

MINE, THEIRS = "111111111111", "222222222222"
INSTANCE = f"arn:aws:ec2:us-east-1:{MINE}:instance/i-0a1b2c3d4e5f60718"
FOREIGN = f"arn:aws:ec2:us-east-1:{THEIRS}:instance/i-0fffffffffffffff9"


def inventory(seen: list[httpx.Request]) -> httpx.MockTransport:
    """The inventory's answers: an asset's summary (account from its ARN), or the rollup."""

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        path = request.url.raw_path.decode().split("?")[0]
        if path == "/findings/summary":
            return httpx.Response(200, json={"accounts": request.url.params.get_list("account_id")})
        asset_id = httpx.URL(path).path.removeprefix("/assets/").removesuffix("/findings")
        account = asset_id.split(":")[4]
        owner = "web@acme.example" if account == MINE else "db@acme.example"
        body = {"asset_id": asset_id, "account_id": account, "owner": owner, "tags": {}}
        return httpx.Response(200, json=body)

    return httpx.MockTransport(handle)


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[tuple[FastAPI, list[httpx.Request]]]:
    seen: list[httpx.Request] = []
    async with running_gateway(tmp_path, {"inventory": inventory(seen)}) as app:
        yield app, seen


async def _get(app: FastAPI, headers: dict[str, str], url: str, **params: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://gw", headers=headers
    ) as http:
        return await http.get(url, params=params)


async def test_asset_findings_are_forwarded_and_narrowed_per_item(
    gateway: tuple[FastAPI, list[httpx.Request]],
) -> None:
    app, seen = gateway
    viewer = await key_for(app, "viewer")
    answer = await _get(app, viewer, f"/api/v1/assets/{INSTANCE}/findings", expiring_days=7)
    assert answer.status_code == 200, answer.text
    assert answer.json()["asset_id"] == INSTANCE
    assert seen[-1].url.raw_path.decode().endswith("/findings?expiring_days=7")
    assert "%2F" in seen[-1].url.raw_path.decode()  # the ARN's '/' is sent encoded

    scoped = await key_for(app, "viewer", accounts=(MINE,))
    assert (await _get(app, scoped, f"/api/v1/assets/{INSTANCE}/findings")).status_code == 200
    assert (await _get(app, scoped, f"/api/v1/assets/{FOREIGN}/findings")).status_code == 404
    owner = await key_for(app, "owner", subject="web@acme.example")
    assert (await _get(app, owner, f"/api/v1/assets/{INSTANCE}/findings")).status_code == 200
    assert (await _get(app, owner, f"/api/v1/assets/{FOREIGN}/findings")).status_code == 404


async def test_rollup_is_narrowed_to_the_callers_accounts_and_refused_to_owners(
    gateway: tuple[FastAPI, list[httpx.Request]],
) -> None:
    app, _ = gateway
    viewer = await key_for(app, "viewer")
    everything = await _get(app, viewer, "/api/v1/findings/summary")
    assert everything.json() == {"accounts": []}
    scoped = await key_for(app, "viewer", accounts=(MINE,))
    assert (await _get(app, scoped, "/api/v1/findings/summary")).json() == {"accounts": [MINE]}
    outside = await _get(app, scoped, "/api/v1/findings/summary", account_id=THEIRS)
    assert outside.status_code == 403
    owner = await key_for(app, "owner", subject="web@acme.example")
    assert (await _get(app, owner, "/api/v1/findings/summary")).status_code == 403
