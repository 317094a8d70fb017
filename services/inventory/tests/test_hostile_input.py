"""Hostile list parameters are a 4xx naming the parameter, never a 500 from the database."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from pacbot.common.testing import forge_cursor
from services.inventory.tests.sample_assets import seed

GROUP = {"name": "buckets", "criteria": {"resource_types": ["aws.s3.bucket"]}}


@pytest.mark.parametrize("offset", [2**63, 2**64, 10**30, 10_000_001])
async def test_an_offset_past_the_bound_is_a_422(inventory: Any, offset: int) -> None:
    client = inventory.client
    assert (await client.post("/groups", json=GROUP)).status_code == 201
    for path in ("/assets", "/groups/buckets/assets", "/assets/search"):
        response = await client.get(path, params={"offset": offset})
        assert response.status_code == 422, (path, response.text)
        assert response.json()["field"] == "offset"


async def test_the_deepest_offset_allowed_is_an_empty_page(inventory: Any) -> None:
    await seed(inventory.runtime.db)
    client = inventory.client
    assert (await client.post("/groups", json=GROUP)).status_code == 201
    for path in ("/assets", "/groups/buckets/assets"):
        response = await client.get(path, params={"offset": 10_000_000})
        assert response.status_code == 200, response.text
        assert response.json()["items"] == []


def forged(sort: str, values: list[Any], order: str = "asc") -> str:
    """A search backend's cursor (its search_after values) that lies about them."""
    raw = json.dumps({"s": sort, "o": order, "v": values}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    ("params", "inner"),
    [
        ({"sort": "updated_at"}, forged("updated_at", [2**70, "arn:aws:s3:::a"])),
        ({"sort": "updated_at"}, forged("updated_at", ["garbage", "arn:aws:s3:::a"])),
        ({"sort": "name"}, forged("name", [2**70, "arn:aws:s3:::a"])),
        ({"sort": "name"}, forged("name", ["alpha", "arn\x00"])),
        ({"q": "alpha"}, forged("relevance", [float("nan"), "arn:aws:s3:::a"])),
        ({"q": "alpha"}, forged("relevance", ["high", "arn:aws:s3:::a"])),
        ({"sort": "name"}, "%%%not-base64%%%"),
    ],
)
async def test_a_forged_search_cursor_is_a_400_saying_so(
    inventory: Any, params: dict[str, str], inner: str
) -> None:
    """The contract's cursor is genuine (same query), the backend's position inside it is not."""
    await seed(inventory.runtime.db)
    assert (await inventory.client.post("/assets/reindex")).status_code == 200
    first = (await inventory.client.get("/assets/search", params={**params, "limit": 1})).json()
    cursor = forge_cursor(first["next_cursor"], inner)
    response = await inventory.client.get("/assets/search", params={**params, "cursor": cursor})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["field"] == "cursor"
    assert "not a cursor this search returned" in body["detail"]


@pytest.mark.parametrize(
    "cursor", [base64.urlsafe_b64encode(b"[" * 5000).decode(), "%%%not-base64%%%", "e30"]
)
async def test_a_search_cursor_that_is_no_cursor_is_a_400(inventory: Any, cursor: str) -> None:
    response = await inventory.client.get("/assets/search", params={"cursor": cursor})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["field"] == "cursor"
    assert "not a cursor this listing returned" in body["detail"]
