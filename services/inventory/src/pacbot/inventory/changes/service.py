"""Re-discover the resources a change event names, in every connector of the event's service."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.aws import AccountAccess
from pacbot.common.web import NotFound
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


async def rediscover(
    session: AsyncSession, planner: SweepPlanner, discovery: Discovery, hint: ChangeHint
) -> list[dict[str, str]]:
    """Upsert or delete the named resources; returns what happened to each."""
    account = next(
        (a for a in await planner.accounts(session, None) if a.account_id == hint.account_id),
        None,
    )
    if account is None:
        raise NotFound(f"account {hint.account_id} is not onboarded", field="account")
    access = AccountAccess(account.account_id, account.role_arn, account.external_id)
    outcome: list[dict[str, str]] = []
    for resource_type in planner.registry.types():
        meta = planner.registry.get(resource_type).meta
        if meta.service not in hint.services:
            continue
        region = "global" if meta.scope == "global" else hint.region
        target = SweepTarget(access, region, resource_type)
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
