"""``GET /violations``: every filter, every sort, cursor paging and its edges, bad input.

The filter, sort and cursor tests run on SQLite and on the real PostgreSQL (JSON tag filters
and datetime keysets differ between them).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.violations.tests.test_api_rows import ago, insert, running_on, violation

Running = tuple[FastAPI, httpx.AsyncClient]
RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1}

SEED = [
    violation(
        "v-a", severity="critical", category="security", owner="alice",
        tags={"App": "billing", "Env": "prod"}, opened_at=ago(10), updated_at=ago(1),
    ),
    violation(
        "v-b", severity="high", category="governance", status="exempted", exception_id="ex-1",
        account_id="222222222222", region="eu-west-1", resource_type="aws.ec2.instance",
        owner="bob", tags={"App": "web"}, policy_id="p-enc", opened_at=ago(3), updated_at=ago(2),
    ),
    violation(
        "v-c", severity="medium", category="cost", status="closed", close_reason="fixed",
        tags={"App": "billing", "Env": "dev"}, policy_id="p-cost", owner=None,
        opened_at=ago(40), updated_at=ago(5), closed_at=ago(5),
    ),
    violation(
        "v-d", severity="low", category="tagging", region="eu-west-1",
        resource_type="aws.ec2.volume", owner=None, policy_id="p-tags",
        opened_at=ago(0.5), updated_at=ago(0.5),
    ),
    violation(
        "v-e", severity="critical", category="security", account_id="222222222222",
        owner="alice", tags={"App": "billing:v2"}, opened_at=ago(20), updated_at=ago(1),
    ),
    violation(
        "v-f", severity="high", category="operations", tags={"Env": "prod"},
        policy_id="p-ops", opened_at=ago(10), updated_at=ago(3),
    ),
]  # fmt: skip
SEEDED = {
    v.violation_id: {
        "severity": v.severity,
        "opened_at": v.opened_at,
        "updated_at": v.updated_at,
        "policy_id": v.policy_id,
        "resource_type": v.resource_type,
    }
    for v in SEED
}

FILTER_CASES: list[tuple[list[tuple[str, str]], set[str]]] = [
    ([], {"v-a", "v-b", "v-c", "v-d", "v-e", "v-f"}),
    ([("status", "open")], {"v-a", "v-d", "v-e", "v-f"}),
    ([("status", "exempted")], {"v-b"}),
    ([("status", "closed")], {"v-c"}),
    ([("status", "open"), ("status", "exempted")], {"v-a", "v-b", "v-d", "v-e", "v-f"}),
    ([("policy_id", "p-public")], {"v-a", "v-e"}),
    ([("severity", "critical")], {"v-a", "v-e"}),
    ([("severity", "low"), ("severity", "medium")], {"v-c", "v-d"}),
    ([("category", "governance")], {"v-b"}),
    ([("category", "operations")], {"v-f"}),
    ([("account_id", "222222222222")], {"v-b", "v-e"}),
    ([("region", "eu-west-1")], {"v-b", "v-d"}),
    ([("resource_type", "aws.ec2.volume")], {"v-d"}),
    ([("owner", "alice")], {"v-a", "v-e"}),
    ([("asset_id", "arn:aws:s3:::v-c")], {"v-c"}),
    ([("tag", "App=billing")], {"v-a", "v-c"}),
    ([("tag", "App:billing")], {"v-a", "v-c"}),
    ([("tag", "App=billing:v2")], {"v-e"}),
    ([("tag", "App=billing"), ("tag", "App=web")], {"v-a", "v-b", "v-c"}),
    ([("tag", "App=billing"), ("tag", "Env=prod")], {"v-a"}),
    ([("tag", "Env=prod")], {"v-a", "v-f"}),
    ([("tag", "Missing=x")], set()),
    ([("min_age_days", "15")], {"v-c", "v-e"}),
    ([("max_age_days", "5")], {"v-b", "v-d"}),
    ([("min_age_days", "2"), ("max_age_days", "15")], {"v-a", "v-b", "v-f"}),
    ([("account_id", "111111111111"), ("severity", "critical")], {"v-a"}),
]


def expected_order(sort: str, order: str) -> list[str]:
    """The seed sorted by hand: primary key in ``order``, then violation_id ascending."""
    ids = sorted(SEEDED)

    def primary(vid: str) -> Any:
        row = SEEDED[vid]
        if sort == "severity":
            return RANK[row["severity"]]
        if sort == "age":
            return -row["opened_at"].timestamp()
        value = row[sort]
        return value.timestamp() if isinstance(value, datetime) else value

    return sorted(ids, key=primary, reverse=order == "desc")


@pytest.fixture(params=["sqlite", "postgres"])
async def seeded(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    async with running_on(request.param, tmp_path, request) as (app, client):
        await insert(app, *SEED)
        yield client


async def ids_of(client: httpx.AsyncClient, params: list[tuple[str, str]]) -> list[str]:
    response = await client.get("/violations", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"])
    return [item["violation_id"] for item in body["items"]]


async def test_every_filter(seeded: httpx.AsyncClient) -> None:
    for params, expected in FILTER_CASES:
        assert set(await ids_of(seeded, params)) == expected, params


async def test_every_sort_with_the_id_tiebreaker(seeded: httpx.AsyncClient) -> None:
    for sort in ("severity", "opened_at", "updated_at", "age", "policy_id", "resource_type"):
        for order in ("asc", "desc"):
            got = await ids_of(seeded, [("sort", sort), ("order", order)])
            assert got == expected_order(sort, order), (sort, order)
    assert await ids_of(seeded, []) == expected_order("updated_at", "desc")  # the default
    # ties are broken by id ascending in both orders: v-a and v-e share updated_at
    desc = await ids_of(seeded, [("sort", "updated_at"), ("order", "desc")])
    assert desc.index("v-a") + 1 == desc.index("v-e")


async def walk(client: httpx.AsyncClient, params: list[tuple[str, str]], limit: int) -> list[str]:
    """Follow next_cursor to the end; the total stays the same on every page."""
    seen: list[str] = []
    cursor: str | None = None
    totals = set()
    while True:
        page_params = [*params, ("limit", str(limit))] + ([("cursor", cursor)] if cursor else [])
        body = (await client.get("/violations", params=page_params)).json()
        seen += [item["violation_id"] for item in body["items"]]
        totals.add(body["total"])
        cursor = body["next_cursor"]
        if cursor is None:
            assert len(body["items"]) <= limit
            break
        assert len(body["items"]) == limit
    assert totals == {len(seen)}
    return seen


async def test_cursor_walks_every_sort_to_the_end(seeded: httpx.AsyncClient) -> None:
    for sort in ("severity", "updated_at", "age", "policy_id"):
        for order in ("asc", "desc"):
            params = [("sort", sort), ("order", order)]
            assert await walk(seeded, params, 2) == expected_order(sort, order)
            assert await walk(seeded, params, 4) == expected_order(sort, order)
    filtered = [("status", "open"), ("tag", "Env=prod"), ("sort", "severity")]
    assert await walk(seeded, filtered, 1) == ["v-a", "v-f"]  # critical, then high
    youngest_first = [("min_age_days", "2"), ("sort", "age"), ("order", "asc")]
    assert await walk(seeded, youngest_first, 1) == [
        "v-b", "v-a", "v-f", "v-e", "v-c"
    ]  # fmt: skip


async def test_cursor_edges(seeded: httpx.AsyncClient) -> None:
    empty = (await seeded.get("/violations", params={"tag": "Missing=x"})).json()
    assert empty == {"items": [], "total": 0, "next_cursor": None}
    exact = (await seeded.get("/violations", params={"limit": 6})).json()
    assert (len(exact["items"]), exact["next_cursor"]) == (6, None)  # a full last page

    first = (await seeded.get("/violations", params={"status": "open", "limit": 2})).json()
    cursor = first["next_cursor"]
    assert cursor
    same = [("status", "open"), ("limit", "3"), ("cursor", cursor)]
    assert (await seeded.get("/violations", params=same)).status_code == 200
    for changed in (
        [("status", "closed")],
        [("status", "open"), ("severity", "high")],
        [("status", "open"), ("sort", "severity")],
        [("status", "open"), ("order", "asc")],
        [("status", "open"), ("offset", "1")],
    ):
        response = await seeded.get("/violations", params=[*changed, ("cursor", cursor)])
        assert response.status_code == 400, changed
        assert response.json()["field"] == "cursor"
    for garbage in ("nope", "e30", cursor[:-3], "W10"):
        response = await seeded.get("/violations", params={"status": "open", "cursor": garbage})
        assert (response.status_code, response.json()["field"]) == (400, "cursor"), garbage


async def test_offset_paging_still_works(seeded: httpx.AsyncClient) -> None:
    everything = await ids_of(seeded, [])
    page = (await seeded.get("/violations", params={"limit": 2, "offset": 2})).json()
    assert [i["violation_id"] for i in page["items"]] == everything[2:4]
    assert page["total"] == 6
    assert page["next_cursor"] is not None


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"sort": "name"}, 422, "sort"),
        ({"order": "up"}, 422, "order"),
        ({"status": "bogus"}, 422, "status.0"),
        ({"category": "fun"}, 422, "category.0"),
        ({"severity": "urgent"}, 422, "severity.0"),
        ({"min_age_days": "-1"}, 422, "min_age_days"),
        ({"max_age_days": "soon"}, 422, "max_age_days"),
        ({"min_age_days": "5", "max_age_days": "1"}, 400, "min_age_days"),
        ({"tag": "novalue"}, 400, "tag"),
        ({"tag": "=x"}, 400, "tag"),
        ({"tag": 'a"b=c'}, 400, "tag"),
        ({"limit": 0}, 422, "limit"),
    ],
)
async def test_bad_parameters_name_the_field(
    tmp_path: Path,
    request: pytest.FixtureRequest,
    params: dict[str, Any],
    status: int,
    field: str,
) -> None:
    async with running_on("sqlite", tmp_path, request) as (_app, client):
        response = await client.get("/violations", params=params)
    assert response.status_code == status, response.text
    assert response.json()["field"] == field


async def test_detail_carries_the_timeline_owner_and_tags(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    async with running_on("sqlite", tmp_path, request) as (app, client):
        await insert(app, SEED[0])
        body = (await client.get("/violations/v-a")).json()
        missing = await client.get("/violations/v-zzz")
    assert body["timeline"][0]["event"] == "opened"
    assert (body["owner"], body["tags"]) == ("alice", {"App": "billing", "Env": "prod"})
    assert (missing.status_code, missing.json()["field"]) == (404, "violation_id")
