"""Queries on results and asset tombstones."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.events import AssetSummary, PolicyResult
from pacbot.violations.models import AssetTombstone, ResultRow


async def get_result(session: AsyncSession, asset_id: str, policy_id: str) -> ResultRow | None:
    """The stored result of ``policy_id`` on ``asset_id``."""
    return await session.get(ResultRow, (asset_id, policy_id))


async def store_result(
    session: AsyncSession,
    asset: AssetSummary,
    version: int,
    result: PolicyResult,
    evaluated_at: datetime,
) -> None:
    """Replace the (asset, policy) result with this one; a stored result is live again."""
    fields = {
        "asset_version": version,
        "status": result.status,
        "reason": result.reason,
        "evidence": result.evidence,
        "account_id": asset.account_id,
        "region": asset.region,
        "resource_type": asset.resource_type,
        "asset_name": asset.name,
        "owner": asset.owner,
        "tags": dict(asset.tags),
        "policy_name": result.policy.name,
        "severity": result.policy.severity,
        "category": result.policy.category,
        "asset": asset.model_dump(mode="json"),
        "policy": result.policy.model_dump(mode="json"),
        "deleted": False,
        "evaluated_at": evaluated_at,
    }
    row = await get_result(session, asset.asset_id, result.policy.policy_id)
    if row is None:
        session.add(ResultRow(asset_id=asset.asset_id, policy_id=result.policy.policy_id, **fields))
        return
    for name, value in fields.items():
        setattr(row, name, value)


async def mark_asset_deleted(
    session: AsyncSession, asset_id: str, version: int, deleted_at: datetime
) -> None:
    """Exclude the asset's results from compliance and remember the deleted version."""
    await session.execute(
        update(ResultRow).where(ResultRow.asset_id == asset_id).values(deleted=True)
    )
    tombstone = await session.get(AssetTombstone, asset_id)
    if tombstone is None:
        session.add(AssetTombstone(asset_id=asset_id, version=version, deleted_at=deleted_at))
    elif version >= tombstone.version:
        tombstone.version = version
        tombstone.deleted_at = deleted_at


async def deleted_version(session: AsyncSession, asset_id: str) -> int | None:
    """The version at which the asset was deleted, if it is deleted."""
    return await session.scalar(
        select(AssetTombstone.version).where(AssetTombstone.asset_id == asset_id)
    )


async def forget_deletion(session: AsyncSession, asset_id: str) -> None:
    """The asset came back with a newer version."""
    tombstone = await session.get(AssetTombstone, asset_id)
    if tombstone is not None:
        await session.delete(tombstone)
