"""What autofix reads from its peers before acting: the violation's status (violations), and the
asset, its account's assume-role and the size of its type (inventory)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from pacbot.common.aws import AccountAccess


class PeerUnavailable(Exception):
    """A peer could not answer; the plan waits for the next tick."""


class AccountUnknown(Exception):
    """Inventory does not know the account, so there is no role to act through."""


async def _get(client: httpx.AsyncClient, path: str, **params: Any) -> dict[str, Any] | None:
    """GET a peer's JSON; None on 404; PeerUnavailable on anything else that is not a 200."""
    try:
        response = await client.get(path, params=params or None)
    except httpx.TransportError as exc:
        raise PeerUnavailable(f"{client.base_url} unreachable: {exc!r}") from exc
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise PeerUnavailable(f"{client.base_url}{path} answered {response.status_code}")
    body = response.json()
    if not isinstance(body, dict):
        raise PeerUnavailable(f"{client.base_url}{path} answered a non-object")
    return body


async def violation_status(client: httpx.AsyncClient, violation_id: str) -> str | None:
    """``open`` / ``exempted`` / ``closed``, or None when the violation is unknown."""
    body = await violation(client, violation_id)
    if body is None:
        return None
    status = body.get("status")
    if not isinstance(status, str):
        raise PeerUnavailable("violations service returned a violation without a status")
    return status


async def asset(client: httpx.AsyncClient, asset_id: str) -> dict[str, Any] | None:
    """The inventory's current record of an asset (tags, config, deleted), or None."""
    return await _get(client, f"/assets/{quote(asset_id, safe=':')}")


async def type_total(client: httpx.AsyncClient, account_id: str, resource_type: str) -> int:
    """How many live assets of a type one account has (the blast-radius percentage's base)."""
    body = await _get(
        client, "/assets", account_id=account_id, resource_type=resource_type, limit=1
    )
    total = (body or {}).get("total")
    if not isinstance(total, int):
        raise PeerUnavailable("inventory answered an asset page without a total")
    return total


@dataclass
class _Cached:
    access: AccountAccess
    until: float


class AccountDirectory:
    """The assume-role of each account, read from inventory and kept for ``ttl`` seconds.

    Inventory owns accounts: a fix acts through exactly the role ARN and external id that
    discovery uses (``GET /accounts/{id}/access``, a peer-only route).
    """

    def __init__(self, client: httpx.AsyncClient, *, ttl: float = 60.0) -> None:
        self.client = client
        self.ttl = ttl
        self._cache: dict[str, _Cached] = {}

    async def access(self, account_id: str) -> AccountAccess:
        """How to reach ``account_id``; AccountUnknown when inventory does not know it."""
        cached = self._cache.get(account_id)
        if cached is not None and cached.until > time.monotonic():
            return cached.access
        body = await _get(self.client, f"/accounts/{quote(account_id, safe='')}/access")
        if body is None:
            raise AccountUnknown(f"account {account_id} is not onboarded in inventory")
        if body.get("enabled") is False:
            raise AccountUnknown(f"account {account_id} is disabled in inventory")
        access = AccountAccess(
            account_id=account_id,
            role_arn=body.get("role_arn"),
            external_id=body.get("external_id"),
        )
        self._cache[account_id] = _Cached(access, time.monotonic() + self.ttl)
        return access


async def violation(client: httpx.AsyncClient, violation_id: str) -> dict[str, Any] | None:
    """The violation as the violations service shows it, or None when unknown."""
    return await _get(client, f"/violations/{quote(violation_id, safe='')}")


async def policy(client: httpx.AsyncClient, policy_id: str) -> dict[str, Any] | None:
    """The policy as the assessor's registry shows it (with its autofix block), or None."""
    return await _get(client, f"/policies/{quote(policy_id, safe='')}")
