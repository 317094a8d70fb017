"""Reads a violation's current status from the violations service before a fix acts."""

from __future__ import annotations

from urllib.parse import quote

import httpx


class PeerUnavailable(Exception):
    """The violations service could not answer; the plan waits for the next tick."""


async def violation_status(client: httpx.AsyncClient, violation_id: str) -> str | None:
    """``open`` / ``exempted`` / ``closed``, or None when the violation is unknown."""
    try:
        response = await client.get(f"/violations/{quote(violation_id, safe='')}")
    except httpx.TransportError as exc:
        raise PeerUnavailable(f"violations service unreachable: {exc!r}") from exc
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise PeerUnavailable(f"violations service answered {response.status_code}")
    status = response.json().get("status")
    if not isinstance(status, str):
        raise PeerUnavailable("violations service returned a violation without a status")
    return status
