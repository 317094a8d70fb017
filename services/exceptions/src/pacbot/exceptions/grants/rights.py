"""Who may ask for what: security and admin for anything in their scope, an owner for theirs.

An owner (the ``owner`` role) may request resource exceptions only for assets whose ``Owner``
tag names them or one of their groups (asked of the inventory), and sticky exceptions only when
the criteria pin the ``Owner`` tag to those names. A caller scoped to accounts stays inside them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from pacbot.common.runtime import Runtime
from pacbot.exceptions.grants.identity import Actor, Forbidden
from pacbot.exceptions.grants.peers import PeerUnavailable, _get
from pacbot.exceptions.grants.validation import ValidRequest, invalid

OWNER_TAG_KEYS = ("Owner", "owner")
REQUESTER_ROLES = ("owner", "security")


def _owner_of(asset: dict[str, Any]) -> str | None:
    tags: dict[str, str] = asset.get("tags") or {}
    return next((tags[k] for k in OWNER_TAG_KEYS if tags.get(k)), None)


async def _asset(runtime: Runtime, asset_id: str) -> dict[str, Any]:
    response = await _get(
        runtime.service("inventory"), "inventory", f"/assets/{quote(asset_id, safe=':/')}"
    )
    if response.status_code == 404:
        raise invalid(f"asset_ids: no asset {asset_id!r} is known to the inventory", "asset_ids")
    if response.status_code != 200:
        raise PeerUnavailable(f"the inventory answered {response.status_code} for {asset_id!r}")
    body: dict[str, Any] = response.json()
    return body


def _sticky_within(actor: Actor, request: ValidRequest, owner_only: bool) -> None:
    criteria = request.criteria
    assert criteria is not None  # a valid sticky request has criteria
    if actor.accounts is not None and (
        not criteria.accounts or not set(criteria.accounts) <= actor.accounts
    ):
        raise Forbidden(
            f"{actor.user} is scoped to accounts {sorted(actor.accounts)}; criteria.accounts "
            "must name only those",
            field="criteria.accounts",
        )
    if owner_only:
        pinned = [criteria.tags.get(k) for k in OWNER_TAG_KEYS if k in criteria.tags]
        values = {v for p in pinned for v in ([p] if isinstance(p, str) else p or [])}
        if not values or not values <= actor.owner_names:
            raise Forbidden(
                f"{actor.user} holds the owner role: a sticky exception must pin the Owner tag "
                f"to {sorted(actor.owner_names)}",
                field="criteria.tags",
            )


async def check_requester(runtime: Runtime, actor: Actor, request: ValidRequest) -> None:
    """403 unless ``actor`` may request this exception (owner: only for their own assets)."""
    if not any(actor.has_role(role) for role in REQUESTER_ROLES):
        raise Forbidden(
            f"{actor.user} holds {sorted(actor.roles) or 'no role'}; requesting an exception "
            "needs the owner, security or admin role",
            field="roles",
        )
    owner_only = not actor.has_role("security")
    if request.kind == "sticky":
        _sticky_within(actor, request, owner_only)
        return
    if not owner_only and actor.accounts is None:
        return
    for asset_id in request.asset_ids:
        asset = await _asset(runtime, asset_id)
        if actor.accounts is not None and asset.get("account_id") not in actor.accounts:
            raise Forbidden(
                f"asset {asset_id} is in account {asset.get('account_id')}, outside "
                f"{actor.user}'s scope",
                field="asset_ids",
            )
        if owner_only and _owner_of(asset) not in actor.owner_names:
            raise Forbidden(
                f"asset {asset_id} is not owned by {actor.user} or their groups "
                f"(its Owner tag is {_owner_of(asset)!r})",
                field="asset_ids",
            )
