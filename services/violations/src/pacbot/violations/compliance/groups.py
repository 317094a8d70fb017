"""The inventory's asset groups, for figures per group (``GET /groups``, page by page)."""

from __future__ import annotations

from typing import Any

import httpx

from pacbot.common.runtime import Runtime
from pacbot.common.web import DomainError

MAX_GROUPS = 200
"""Groups a breakdown covers at most (the first by name): each costs a summary's reads."""
PAGE = 200


def _unavailable(why: str) -> DomainError:
    return DomainError(
        f"the inventory's asset groups cannot be read ({why})", field="by", status_code=503
    )


async def inventory_groups(runtime: Runtime) -> tuple[list[tuple[str, dict[str, Any]]], bool]:
    """(name, criteria) of the first :data:`MAX_GROUPS` groups by name; True when more exist."""
    client = runtime.service("inventory")
    groups: list[tuple[str, dict[str, Any]]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": PAGE, "counts": "false"}
        if cursor:
            params["cursor"] = cursor
        try:
            response = await client.get("/groups", params=params)
        except httpx.TransportError as exc:
            raise _unavailable(f"unreachable: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise _unavailable(f"it answered {response.status_code}")
        try:
            body = response.json()
            page = [(str(g["name"]), dict(g["criteria"])) for g in body["items"]]
            cursor = body.get("next_cursor")
        except (ValueError, KeyError, TypeError) as exc:
            raise _unavailable("its answer has no items with a name and criteria") from exc
        groups.extend(page)
        if len(groups) >= MAX_GROUPS:
            return groups[:MAX_GROUPS], len(groups) > MAX_GROUPS or bool(cursor)
        if not cursor:
            return groups, False
