"""Compliance scoped by account, region, type, tags and an inventory asset group.

The inventory is an ASGI double answering ``GET /groups/{name}`` as the inventory contract
says; it is reached through ``runtime.service("inventory")`` like the real one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from services.violations.tests.test_api_rows import insert, result, running_on, violation

GROUPS = {
    "billing-east": {"regions": ["us-east-1"], "tags": {"App": ["billing", "web"]}},
    "s3-east": {"resource_types": ["aws.s3.bucket"], "regions": ["us-east-1"]},
    "first-account": {"accounts": ["111111111111"]},
}
A1, A2 = "111111111111", "222222222222"
ASSETS = {
    "s1": {"account_id": A1, "region": "us-east-1", "tags": {"App": "billing", "Env": "prod"}},
    "s2": {"account_id": A1, "region": "eu-west-1", "tags": {"App": "web"}},
    "s3": {"account_id": A2, "resource_type": "aws.ec2.instance", "tags": {"App": "billing"}},
    "s4": {"account_id": A2, "tags": {}},
}
STATUS = {"s1": "pass", "s2": "fail", "s3": "pass", "s4": "fail"}


def inventory_double() -> httpx.ASGITransport:
    """Groups as the inventory serves them; ``broken`` answers 500."""
    inventory = FastAPI()

    @inventory.get("/groups/{name}")
    async def get_group(name: str) -> JSONResponse:
        if name == "broken":
            return JSONResponse({"error": "boom"}, status_code=500)
        if name not in GROUPS:
            return JSONResponse({"error": "NotFound", "detail": "no group"}, status_code=404)
        return JSONResponse({"name": name, "criteria": GROUPS[name], "member_count": 0})

    return httpx.ASGITransport(app=inventory)


def unreachable(_request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused")


@pytest.fixture(params=["sqlite", "postgres"])
async def scoped(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    transports = {"inventory": inventory_double()}
    async with running_on(request.param, tmp_path, request, transports=transports) as (app, c):
        rows: list[Any] = []
        for asset_id, fields in ASSETS.items():
            rows.append(result(asset_id, "p", STATUS[asset_id], **fields))
            if STATUS[asset_id] == "fail":
                rows.append(violation(f"v-{asset_id}", asset_id=asset_id, policy_id="p", **fields))
        await insert(app, *rows)
        yield c


SCOPES: list[tuple[list[tuple[str, str]], float | None, int, int]] = [
    # (query, overall %, evaluated assets, open violations)
    ([], 50.0, 4, 2),
    ([("account_id", "111111111111")], 50.0, 2, 1),
    ([("account_id", "111111111111"), ("account_id", "222222222222")], 50.0, 4, 2),
    ([("region", "eu-west-1")], 0.0, 1, 1),
    ([("resource_type", "aws.ec2.instance")], 100.0, 1, 0),
    ([("tag", "App=billing")], 100.0, 2, 0),
    ([("tag", "App:billing"), ("tag", "Env=prod")], 100.0, 1, 0),
    ([("tag", "App=web"), ("tag", "App=billing")], 200 / 3, 3, 1),
    ([("group", "billing-east")], 100.0, 2, 0),
    ([("group", "s3-east")], 50.0, 2, 1),
    ([("group", "s3-east"), ("account_id", "222222222222")], 0.0, 1, 1),
    ([("region", "ap-south-1")], None, 0, 0),
]


async def test_every_scope(scoped: httpx.AsyncClient) -> None:
    for params, overall, evaluated, opened in SCOPES:
        response = await scoped.get("/compliance/summary", params=params)
        assert response.status_code == 200, (params, response.text)
        body = response.json()
        assert body["overall_pct"] == (pytest.approx(overall) if overall else overall), params
        assert (body["evaluated_assets"], body["open"]) == (evaluated, opened), params


async def test_scope_keys_are_canonical(scoped: httpx.AsyncClient) -> None:
    params = [("tag", "Env=prod"), ("group", "s3-east"), ("account_id", "1"), ("tag", "App:x")]
    body = (await scoped.get("/compliance/summary", params=params)).json()
    assert body["scope"] == "account:1,tag:App=x,tag:Env=prod,group:s3-east"


@pytest.mark.parametrize(
    ("transport", "group", "status"),
    [
        (inventory_double(), "nope", 404),
        (inventory_double(), "broken", 503),
        (httpx.MockTransport(unreachable), "s3-east", 503),
    ],
)
async def test_group_failures_are_4xx_or_503_naming_the_group(
    tmp_path: Path,
    request: pytest.FixtureRequest,
    transport: httpx.AsyncBaseTransport,
    group: str,
    status: int,
) -> None:
    transports = {"inventory": transport}
    async with running_on("sqlite", tmp_path, request, transports=transports) as (_app, client):
        response = await client.get("/compliance/summary", params={"group": group})
    assert response.status_code == status, response.text
    assert response.json()["field"] == "group"


async def test_bad_tag_scope_is_400(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    async with running_on("sqlite", tmp_path, request) as (_app, client):
        response = await client.get("/compliance/summary", params={"tag": "Application"})
    assert (response.status_code, response.json()["field"]) == (400, "tag")
