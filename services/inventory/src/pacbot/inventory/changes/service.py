"""Re-discover the resources a change event names, in every connector of the event's service."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.aws import AccountAccess
from pacbot.common.web import DomainError, NotFound
from pacbot.inventory.changes.parse import ChangeHint
from pacbot.inventory.discovery.planner import SweepPlanner
from pacbot.inventory.discovery.sweep import Discovery, SweepTarget
from pacbot.inventory.models import Asset


def _values(item: Any, depth: int = 0) -> set[str]:
    """The scalar strings of a listed resource (ids, names, ARNs), two levels deep."""
    found: set[str] = set()
    if isinstance(item, str):
        found.add(item)
    elif isinstance(item, dict) and depth < 2:
        for value in item.values():
            found |= _values(value, depth + 1)
    elif isinstance(item, list) and depth < 2:
        for value in item:
            found |= _values(value, depth + 1)
    return found


def _names(asset: Asset) -> set[str]:
    """The identifiers an event may use for a stored asset: ARN, name, last ARN segment."""
    tail = asset.asset_id.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return {asset.asset_id, asset.name, tail}


def check_covered(planner: SweepPlanner, hint: ChangeHint) -> None:
    """400 unless some connector covers the event's service or an asset type it refreshes."""
    registry = planner.registry
    types = registry.types()
    if any(registry.get(t).meta.service in hint.services for t in types):
        return
    if any(t in types for t in hint.refresh):
        return
    raise DomainError(f"no connector covers {'/'.join(hint.services)}", field="detail.eventSource")


async def rediscover(
    session: AsyncSession, planner: SweepPlanner, discovery: Discovery, hint: ChangeHint
) -> list[dict[str, str]]:
    """Upsert or delete the named resources; returns what happened to each.

    Asset types the event changes account-wide (``hint.refresh``) are re-read whole.
    """
    check_covered(planner, hint)
    account = next(
        (a for a in await planner.accounts(session, None) if a.account_id == hint.account_id),
        None,
    )
    if account is None:
        raise NotFound(f"account {hint.account_id} is not onboarded", field="account")
    access = AccountAccess(account.account_id, account.role_arn, account.external_id)
    registered = planner.registry.types()
    outcome: list[dict[str, str]] = []
    for resource_type in registered:
        meta = planner.registry.get(resource_type).meta
        whole = resource_type in hint.refresh
        if meta.service not in hint.services and not whole:
            continue
        if meta.scope == "global":
            regions = tuple(await planner.regions(account, access)) if whole else ()
            target = SweepTarget(access, "global", resource_type, regions)
        else:
            target = SweepTarget(access, hint.region, resource_type)
        if whole:
            changes = await discovery.rediscover(target, wanted=_every, known=_every)
        else:
            changes = await discovery.rediscover(
                target,
                wanted=lambda item: bool(_values(item) & hint.identifiers),
                known=lambda asset: bool(_names(asset) & hint.identifiers),
            )
        outcome += [
            {"resource_type": resource_type, "asset_id": a.asset_id, "action": "upserted"}
            for a in changes.upserted
        ]
        outcome += [
            {"resource_type": resource_type, "asset_id": a.asset_id, "action": "deleted"}
            for a in changes.deleted
        ]
    return outcome


def _every(_: object) -> bool:
    """Every listed resource and every stored asset of the target (an account-wide refresh)."""
    return True
