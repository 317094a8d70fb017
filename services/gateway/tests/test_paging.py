"""The gateway's own list (``/keys``) pages like every service's; forwarded lists pass the
paging parameters and ``next_cursor`` through untouched."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from pacbot.common.testing import check_cursor_paging
from services.gateway.tests.conftest import key_for, running_gateway


@pytest.fixture
def asked() -> list[httpx.Request]:
    return []


@pytest.fixture
async def app(tmp_path: Path, asked: list[httpx.Request]) -> AsyncIterator[FastAPI]:
    def inventory(request: httpx.Request) -> httpx.Response:
        """A peer whose every list has a next page."""
        asked.append(request)
        return httpx.Response(200, json={"items": [], "total": 9, "next_cursor": "next-page"})

    peers: dict[str, httpx.AsyncBaseTransport] = {"inventory": httpx.MockTransport(inventory)}
    async with running_gateway(tmp_path, peers) as gateway:
        yield gateway


async def test_keys(app: FastAPI) -> None:
    admin = await key_for(app, "admin", subject="ada@x")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://gw", headers=admin
    ) as http:
        for n in range(5):
            made = await http.post("/api/v1/keys", json={"name": f"ci-{n}", "roles": ["viewer"]})
            assert made.status_code == 201, made.text
        listed = (await http.get("/api/v1/keys")).json()
        newest_first = [key["key_id"] for key in listed["items"]]
        assert (len(newest_first), listed["next_cursor"]) == (6, None)
        await check_cursor_paging(
            http,
            "/api/v1/keys",
            expected=newest_first,
            key="key_id",
            changed={"include_revoked": "true"},
        )


async def test_forwarded_lists_page_through_untouched(
    app: FastAPI, asked: list[httpx.Request]
) -> None:
    viewer = await key_for(app, "viewer")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://gw", headers=viewer
    ) as http:
        page = await http.get("/api/v1/assets", params={"limit": 2, "cursor": "abc_-"})
    assert page.json()["next_cursor"] == "next-page"
    assert asked[-1].url.params.multi_items() == [("limit", "2"), ("cursor", "abc_-")]
