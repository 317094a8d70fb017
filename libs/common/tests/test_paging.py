"""The one paging contract: the cursor codec, the list dependency, and the walk services reuse."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Query
from sqlalchemy import MetaData

from pacbot.common.paging import (
    MAX_CURSOR,
    InvalidCursor,
    PageRequest,
    Paging,
    decode_cursor,
    encode_cursor,
    fingerprint,
    paging,
)
from pacbot.common.runtime import messaging_tables
from pacbot.common.testing import check_cursor_paging, service_app, signed_client, walk_pages

OUTBOX, INBOX = messaging_tables(MetaData())
FRUIT = ["apple", "banana", "cherry", "damson", "elder", "fig", "grape"]


def test_a_fingerprint_ignores_unset_filters_and_the_order_of_repeated_values() -> None:
    assert fingerprint("fruit", {"colour": ["red", "green"], "ripe": None}) == fingerprint(
        "fruit", {"colour": ("green", "red"), "tags": {}}
    )
    assert fingerprint("fruit", {"ripe": False}) != fingerprint("fruit", {"ripe": True})
    assert fingerprint("fruit") != fingerprint("veg")


def test_a_cursor_carries_its_position_for_its_own_query_only() -> None:
    mark = fingerprint("fruit", {"colour": ["red"]})
    cursor = encode_cursor(mark, {"after": ["b", 2]})
    assert "=" not in cursor
    assert decode_cursor(cursor, mark) == {"after": ["b", 2]}
    with pytest.raises(InvalidCursor, match="belongs to another query") as other:
        decode_cursor(cursor, fingerprint("fruit", {"colour": ["green"]}))
    assert (other.value.status_code, other.value.field) == (400, "cursor")
    for garbage in ("", "!!", "e30", "W10", cursor[:-2], "A" * (MAX_CURSOR + 1)):
        with pytest.raises(InvalidCursor, match="not a cursor this listing returned"):
            decode_cursor(garbage, mark)


def test_an_offset_window_refuses_positions_no_page_can_have() -> None:
    mark = fingerprint("fruit")
    for lie in (-1, True, 1.5, "3", 2**63, None):
        with pytest.raises(InvalidCursor):
            PageRequest(2, encode_cursor(mark, lie)).window("fruit")
    window = PageRequest(2, encode_cursor(mark, 4)).window("fruit")
    assert window.of(FRUIT) == (["elder", "fig"], encode_cursor(mark, 6))
    assert PageRequest(2, encode_cursor(mark, 6)).window("fruit").of(FRUIT) == (["grape"], None)
    assert PageRequest(2, offset=5).window("fruit").of(FRUIT) == (["fig", "grape"], None)


def test_a_page_size_past_the_project_bound_is_a_bug() -> None:
    with pytest.raises(ValueError, match="1 to 1000"):
        paging(50, 5000)


@pytest.fixture
async def fruit_app(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    router = APIRouter()

    @router.get("/fruit")
    async def list_fruit(
        page: Paging, starts: Annotated[list[str] | None, Query()] = None
    ) -> dict[str, Any]:
        chosen = [f for f in FRUIT if not starts or f[0] in starts]
        items, next_cursor = page.window("fruit", {"starts": starts}).of(chosen)
        listed = [{"id": f} for f in items]
        return {"items": listed, "total": len(chosen), "next_cursor": next_cursor}

    app = service_app("fruit", tmp_path, router)
    async with app.router.lifespan_context(app), signed_client(app) as client:
        yield client


async def test_the_walk_every_service_reuses(fruit_app: httpx.AsyncClient) -> None:
    await check_cursor_paging(fruit_app, "/fruit", expected=FRUIT, changed={"starts": "a"})
    chosen = [("starts", "a"), ("starts", "b"), ("starts", "c")]
    await check_cursor_paging(
        fruit_app, "/fruit", params=chosen, expected=FRUIT[:3], changed={"starts": "a"}
    )
    pages = await walk_pages(fruit_app, "/fruit", limit=7)
    assert [len(p["items"]) for p in pages] == [7]


async def test_limit_and_offset_keep_their_bounds(fruit_app: httpx.AsyncClient) -> None:
    for bad in ({"limit": 0}, {"limit": 1001}, {"offset": -1}, {"offset": 2**63}):
        response = await fruit_app.get("/fruit", params=bad)
        assert (response.status_code, response.json()["field"]) == (422, next(iter(bad)))
    described = await fruit_app.get("/openapi.json")
    params = {p["name"]: p for p in described.json()["paths"]["/fruit"]["get"]["parameters"]}
    assert params["offset"]["deprecated"] is True
    assert "default 100" in params["limit"]["description"]
