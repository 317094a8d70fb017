"""Hostile query input is a 4xx naming the parameter, never a 500: huge offsets, unbounded or
non-finite ages, and forged cursors (run on SQLite and on the real PostgreSQL)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pacbot.common.paging import encode_cursor
from pacbot.violations.lifecycle.query import ViolationFilters, listing_mark
from services.violations.tests.test_api_rows import ago, insert, running_on, violation

SEED = [violation(f"v-{i}", opened_at=ago(i + 1), updated_at=ago(i)) for i in range(4)]
NOW = "2026-03-01T00:00:00+00:00"
EXPORTS = ["/violations/export.csv", "/violations/export.ocsf"]


@pytest.fixture(params=["sqlite", "postgres"])
async def seeded(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    async with running_on(request.param, tmp_path, request) as (app, client):
        await insert(app, *SEED)
        yield client


@pytest.mark.parametrize("path", ["/violations", "/results"])
@pytest.mark.parametrize("offset", [2**63, 2**64, 10**30, 10_000_001])
async def test_an_offset_past_the_bound_is_a_422(
    seeded: httpx.AsyncClient, path: str, offset: int
) -> None:
    response = await seeded.get(path, params={"offset": offset})
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "offset"


async def test_the_largest_offset_allowed_is_an_empty_page(seeded: httpx.AsyncClient) -> None:
    for path in ("/violations", "/results"):
        response = await seeded.get(path, params={"offset": 10_000_000})
        assert response.status_code == 200, response.text
        assert response.json()["items"] == []


@pytest.mark.parametrize("path", ["/violations", *EXPORTS])
@pytest.mark.parametrize("name", ["min_age_days", "max_age_days"])
@pytest.mark.parametrize("value", ["1e6", "36501", "inf", "-inf", "nan", "Infinity", "1e309"])
async def test_an_age_out_of_range_is_a_422_naming_it(
    seeded: httpx.AsyncClient, path: str, name: str, value: str
) -> None:
    response = await seeded.get(path, params={name: value})
    assert response.status_code == 422, response.text
    assert response.json()["field"] == name


async def test_a_century_is_the_oldest_age_filter(seeded: httpx.AsyncClient) -> None:
    response = await seeded.get("/violations", params={"max_age_days": "36500"})
    assert response.status_code == 200, response.text
    assert response.json()["total"] == len(SEED)


def forged(sort: str, value: Any, *, now: Any = NOW, vid: Any = "v-1", **filters: Any) -> str:
    """A cursor shaped like a real one (right sort, order and filter fingerprint) but lying."""
    mark = listing_mark(sort, "desc", ViolationFilters(**filters))
    return encode_cursor(mark, {"t": now, "v": [value, vid]})


FORGERIES: list[tuple[str, dict[str, Any]]] = [
    ("severity", {"value": 2**70}),
    ("severity", {"value": 2**63}),
    ("severity", {"value": -(2**63) - 1}),
    ("severity", {"value": 1.5}),
    ("severity", {"value": "high"}),
    ("policy_id", {"value": 2**70}),
    ("policy_id", {"value": "p\x00"}),
    ("policy_id", {"value": "\ud800"}),
    ("policy_id", {"value": "x" * 10_000}),
    ("policy_id", {"value": "p", "vid": "v\x00"}),
    ("policy_id", {"value": "p", "vid": ["v"]}),
    ("updated_at", {"value": 2**70}),
    ("updated_at", {"value": "0001-01-01T00:00:00+00:00"}),
    ("updated_at", {"value": "9999-12-31T23:59:59-23:59"}),
    ("updated_at", {"value": "0001-01-01T00:00:00+23:59"}),
    ("updated_at", {"value": "not a date"}),
    ("opened_at", {"value": "2026-01-01T00:00:00"}),  # no zone
    ("updated_at", {"value": NOW, "now": "0001-01-01T00:00:00+00:00", "max_age_days": 30.0}),
    ("updated_at", {"value": NOW, "now": "9999-12-31T23:59:59+00:00"}),
    ("updated_at", {"value": NOW, "now": 2**70}),
    ("updated_at", {"value": NOW, "now": None}),
]


@pytest.mark.parametrize(("sort", "forgery"), FORGERIES)
async def test_a_forged_cursor_is_a_400_saying_so(
    seeded: httpx.AsyncClient, sort: str, forgery: dict[str, Any]
) -> None:
    forgery = dict(forgery)
    value = forgery.pop("value")
    cursor = forged(sort, value, **forgery)
    params: dict[str, Any] = {"sort": sort, "order": "desc", "cursor": cursor}
    if "max_age_days" in forgery:
        params["max_age_days"] = forgery["max_age_days"]
    response = await seeded.get("/violations", params=params)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["field"] == "cursor"
    assert "not a cursor this listing returned" in body["detail"]


@pytest.mark.parametrize(
    "raw", [b"[1,2]", b'"v"', b"[" * 5000, b'{"v": [1e999, "a"], "t": 5}', b"\xff\xfe"]
)
async def test_cursor_garbage_is_a_400(seeded: httpx.AsyncClient, raw: bytes) -> None:
    cursor = base64.urlsafe_b64encode(raw).decode()
    response = await seeded.get("/violations", params={"cursor": cursor})
    assert (response.status_code, response.json()["field"]) == (400, "cursor"), response.text


async def test_a_genuine_cursor_still_continues(seeded: httpx.AsyncClient) -> None:
    first = (await seeded.get("/violations", params={"sort": "severity", "limit": 2})).json()
    rest = await seeded.get(
        "/violations", params={"sort": "severity", "limit": 2, "cursor": first["next_cursor"]}
    )
    assert rest.status_code == 200, rest.text
    assert len(first["items"]) + len(rest.json()["items"]) == len(SEED)
