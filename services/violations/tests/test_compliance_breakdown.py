"""``GET /compliance/breakdown`` and the listing's ``group``: every item is the summary of the
scope narrowed to its key, ordered by open violations; a group narrows violations as the
summary's scope does.

The inventory is an ASGI double serving ``GET /groups`` (paged) and ``GET /groups/{name}``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Query
from fastapi.responses import JSONResponse
from sqlalchemy import select

from pacbot.common.testing import check_cursor_paging
from pacbot.violations.models import ResultTally, TallyState
from services.violations.tests.test_api_rows import insert, result, running_on, violation

A1, A2, A3 = "111111111111", "222222222222", "333333333333"
GROUPS: dict[str, dict[str, Any]] = {
    "prod": {"tags": {"Environment": "prod"}},
    "web-east": {"regions": ["us-east-1"], "tags": {"Application": ["web"], "Team": "a"}},
    "second": {"accounts": [A2]},
    "empty": {"accounts": ["999999999999"]},
}
# asset: (account, region, tags, {policy: status}); failing results get a violation
ESTATE: dict[str, tuple[str, str, dict[str, str], dict[str, str]]] = {
    "a1": (A1, "us-east-1", {"Environment": "prod", "Application": "web", "Team": "a"},
           {"p-crit": "fail", "p-low": "pass"}),
    "a2": (A1, "eu-west-1", {"Environment": "dev"}, {"p-crit": "pass", "p-low": "fail"}),
    "a3": (A2, "us-east-1", {"Environment": "prod", "Application": "web", "Team": "b"},
           {"p-crit": "fail", "p-low": "fail"}),
    "a4": (A2, "us-east-1", {}, {"p-crit": "error", "p-low": "pass"}),
    "a5": (A3, "eu-west-1", {"Environment": "prod"}, {"p-crit": "pass", "p-low": "pass"}),
}  # fmt: skip
SEVERITY = {"p-crit": "critical", "p-low": "low"}
EXEMPTED = {("a3", "p-low")}


def inventory_double(groups: dict[str, dict[str, Any]] = GROUPS) -> httpx.ASGITransport:
    """Groups as the inventory serves them (as ``groups`` holds them when asked), one per page
    so paging is followed."""
    inventory = FastAPI()

    @inventory.get("/groups")
    async def list_groups(limit: int = 1000, cursor: str | None = Query(None)) -> JSONResponse:
        names = sorted(groups)
        start = int(cursor or 0)
        page = names[start : start + 1]
        following = str(start + 1) if start + 1 < len(names) else None
        items = [{"name": n, "criteria": groups[n], "member_count": 0} for n in page]
        return JSONResponse({"items": items, "next_cursor": following})

    @inventory.get("/groups/{name}")
    async def get_group(name: str) -> JSONResponse:
        if name not in groups:
            return JSONResponse({"error": "NotFound", "detail": "no group"}, status_code=404)
        return JSONResponse({"name": name, "criteria": groups[name], "member_count": 0})

    return httpx.ASGITransport(app=inventory)


def rows() -> list[Any]:
    made: list[Any] = []
    for asset_id, (account, region, tags, statuses) in ESTATE.items():
        where = {"account_id": account, "region": region, "tags": tags}
        for policy_id, status in statuses.items():
            made.append(result(asset_id, policy_id, status, severity=SEVERITY[policy_id], **where))
            if status == "fail":
                exempted = (asset_id, policy_id) in EXEMPTED
                made.append(
                    violation(
                        f"v-{asset_id}-{policy_id}",
                        asset_id=asset_id,
                        policy_id=policy_id,
                        severity=SEVERITY[policy_id],
                        status="exempted" if exempted else "open",
                        exception_id="e1" if exempted else None,
                        **where,
                    )
                )
    old = {"account_id": A3, "region": "eu-west-1", "tags": {"Environment": "prod"}}
    made.append(violation("v-old", asset_id="a5", policy_id="p-low", status="closed", **old))
    return made


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.real)])
async def estate(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Any]:
    transports = {"inventory": inventory_double()}
    async with running_on(request.param, tmp_path, request, transports=transports) as (app, c):
        await insert(app, *rows())
        yield c


async def items(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/compliance/breakdown", params=params)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["items"]
    return found


@pytest.mark.parametrize(
    ("by", "param"),
    [("account_id", "account_id"), ("region", "region"), ("group", "group")],
)
async def test_each_item_is_the_summary_narrowed_to_its_key(
    estate: httpx.AsyncClient, by: str, param: str
) -> None:
    found = await items(estate, by=by)
    assert found, "the breakdown lists something"
    assert [(-i["open"], i["key"]) for i in found] == sorted((-i["open"], i["key"]) for i in found)
    for item in found:
        summary = (await estate.get("/compliance/summary", params={param: item["key"]})).json()
        assert item["overall_pct"] == summary["overall_pct"], item["key"]
        assert item["evaluated_assets"] == summary["evaluated_assets"]
        assert (item["open"], item["exempted"]) == (summary["open"], summary["exempted"])
        assert item["open_by_severity"] == summary["open_by_severity"]
        assert item["passing"] == sum(p["passing"] for p in summary["policies"])
        assert item["failing"] == sum(p["failing"] for p in summary["policies"])
        assert item["evaluated"] == item["passing"] + item["failing"]


async def test_accounts_worked_out(estate: httpx.AsyncClient) -> None:
    found = {i["key"]: i for i in await items(estate, by="account_id")}
    assert [i["key"] for i in await items(estate, by="account_id")] == [A1, A2, A3]
    a2 = found[A2]  # a3 fails both (its low one exempted), a4 errs on p-crit and passes p-low
    assert (a2["evaluated_assets"], a2["passing"], a2["failing"]) == (2, 1, 2)
    assert (a2["open"], a2["exempted"]) == (1, 1)
    assert a2["open_by_severity"] == {"critical": 1, "high": 0, "medium": 0, "low": 0}
    # p-crit 0/1 (critical weight 10), p-low 1/2 (low weight 1): (10*0 + 1*50) / 11
    assert a2["overall_pct"] == pytest.approx(50 / 11)
    assert (found[A3]["open"], found[A3]["overall_pct"]) == (0, 100.0)


async def test_groups_come_from_the_inventory_with_scope_filters(
    estate: httpx.AsyncClient,
) -> None:
    response = await estate.get("/compliance/breakdown", params={"by": "group"})
    assert response.json()["truncated"] is False
    found = {i["key"]: i for i in response.json()["items"]}
    assert set(found) == set(GROUPS)
    assert (found["empty"]["evaluated_assets"], found["empty"]["overall_pct"]) == (0, None)
    assert (found["prod"]["evaluated_assets"], found["prod"]["open"]) == (3, 2)
    assert found["web-east"]["evaluated_assets"] == 1  # a3 is team b
    narrowed = {i["key"]: i for i in await items(estate, by="group", account_id=A1)}
    assert (narrowed["prod"]["evaluated_assets"], narrowed["second"]["evaluated_assets"]) == (1, 0)
    in_group = {i["key"]: i for i in await items(estate, by="account_id", group="prod")}
    assert set(in_group) == {A1, A2, A3}
    assert in_group[A1]["evaluated_assets"] == 1


async def test_group_cells_follow_the_inventorys_groups(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The tallies count by the inventory's groups; a group changed there is counted from the
    raw rows until its cells are counted anew, and a group gone loses its cells."""
    groups = dict(GROUPS)
    transports = {"inventory": inventory_double(groups)}
    async with running_on("sqlite", tmp_path, request, transports=transports) as (app, client):
        await insert(app, *rows())
        sync = app.state.group_cells
        await sync.run_once()  # (the loop's first pass may have counted them already)

        async def held() -> dict[str, Any]:
            async with app.state.runtime.db.session() as session:
                return await session.scalar(select(TallyState.groups)) or {}

        async def group_cells() -> set[str]:
            async with app.state.runtime.db.session() as session:
                found = await session.scalars(
                    select(ResultTally.tag_value).where(ResultTally.tag_key == "#group")
                )
                return set(found.all())

        assert await held() == GROUPS
        assert await group_cells() == set(GROUPS) - {"empty"}  # nothing matches "empty"
        counted = {i["key"]: i for i in await items(client, by="group")}
        assert (counted["prod"]["evaluated_assets"], counted["prod"]["open"]) == (3, 2)

        groups["prod"] = {"tags": {"Environment": "dev"}}  # changed in the inventory
        stale = {i["key"]: i for i in await items(client, by="group")}
        assert (stale["prod"]["evaluated_assets"], stale["prod"]["open"]) == (1, 1)  # a2 only
        summary = (await client.get("/compliance/summary", params={"group": "prod"})).json()
        assert (summary["evaluated_assets"], summary["open"]) == (1, 1)
        assert await sync.run_once() == ["prod"]
        assert await held() == groups
        assert {i["key"]: i for i in await items(client, by="group")} == stale

        del groups["second"]
        assert await sync.run_once() == ["second"]
        assert "second" not in await group_cells()
        assert await sync.run_once() == []  # nothing changed since


async def test_the_breakdown_pages(estate: httpx.AsyncClient) -> None:
    everything = await items(estate, by="group")
    await check_cursor_paging(
        estate,
        "/compliance/breakdown",
        expected=[i["key"] for i in everything],
        params={"by": "group"},
        changed={"by": "group", "account_id": A1},
        key="key",
        limit=1,
    )


async def test_the_summary_counts_open_violations_by_severity(estate: httpx.AsyncClient) -> None:
    body = (await estate.get("/compliance/summary")).json()
    assert body["open_by_severity"] == {"critical": 2, "high": 0, "medium": 0, "low": 1}
    assert (body["open"], body["exempted"], body["closed"]) == (3, 1, 1)


async def test_violations_are_listed_and_exported_by_group(estate: httpx.AsyncClient) -> None:
    listed = (await estate.get("/violations", params={"group": "prod"})).json()
    assert sorted(v["violation_id"] for v in listed["items"]) == [
        "v-a1-p-crit",
        "v-a3-p-crit",
        "v-a3-p-low",
        "v-old",
    ]
    assert listed["total"] == 4
    web = (await estate.get("/violations", params={"group": "web-east", "status": "open"})).json()
    assert [v["violation_id"] for v in web["items"]] == ["v-a1-p-crit"]
    csv = await estate.get("/violations/export.csv", params={"group": "second"})
    assert csv.status_code == 200
    assert len(csv.text.strip().splitlines()) == 1 + 2  # header, a3's two
    await check_cursor_paging(
        estate,
        "/violations",
        expected=["v-a1-p-crit", "v-a3-p-crit", "v-a3-p-low", "v-old"],
        params={"group": "prod", "sort": "policy_id", "order": "asc"},
        changed={"group": "second", "sort": "policy_id", "order": "asc"},
        key="violation_id",
        limit=1,
    )
    missing = await estate.get("/violations", params={"group": "nope"})
    assert (missing.status_code, missing.json()["field"]) == (404, "group")


async def test_bad_breakdowns_are_4xx_or_503(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    def unreachable(_request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    transports = {"inventory": httpx.MockTransport(unreachable)}
    async with running_on("sqlite", tmp_path, request, transports=transports) as (_app, client):
        assert (
            await client.get("/compliance/breakdown", params={"by": "owner"})
        ).status_code == 422
        assert (await client.get("/compliance/breakdown")).status_code == 422
        down = await client.get("/compliance/breakdown", params={"by": "group"})
        assert (down.status_code, down.json()["field"]) == (503, "by")
        fine = await client.get("/compliance/breakdown", params={"by": "region"})
        assert (fine.status_code, fine.json()["items"]) == (200, [])
