"""Small helpers for reading the gateway API the way any client would."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx


async def get(api: httpx.AsyncClient, path: str, **params: Any) -> Any:
    """The JSON answer of one GET; a 4xx or 5xx raises with the problem's text."""
    response = await api.get(path, params=params)
    if response.is_error:
        raise RuntimeError(f"GET {path} answered {response.status_code}: {response.text[:300]}")
    return response.json()


async def post(api: httpx.AsyncClient, path: str, body: dict[str, Any] | None = None) -> Any:
    """The JSON answer of one POST; a 4xx or 5xx raises with the problem's text."""
    response = await api.post(path, json=body if body is not None else {})
    if response.is_error:
        raise RuntimeError(f"POST {path} answered {response.status_code}: {response.text[:300]}")
    return response.json()


async def every(api: httpx.AsyncClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a paged listing, following ``next_cursor`` to the end."""
    found: list[dict[str, Any]] = []
    query: dict[str, Any] = {"limit": 200, **params}
    while True:
        page = await get(api, path, **query)
        found += page["items"]
        if not page.get("next_cursor"):
            return found
        query = {**query, "cursor": page["next_cursor"]}


async def total(api: httpx.AsyncClient, path: str, **params: Any) -> int:
    """The ``total`` a filtered listing reports (one item fetched)."""
    answer: int = (await get(api, path, limit=1, **params))["total"]
    return answer


async def until(done: Callable[[], Awaitable[bool]], timeout: float, interval: float = 0.5) -> bool:
    """Poll ``done()`` until it is true (True) or ``timeout`` seconds have passed (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await done():
            return True
        await asyncio.sleep(interval)
    return await done()
