"""Writing and reading the change history, pruned to the newest entries per asset."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.inventory.history.diff import config_diff
from pacbot.inventory.models import Asset, AssetChange

KEEP_PER_ASSET = 50


async def record(
    session: AsyncSession,
    asset: Asset,
    previous: dict[str, Any] | None,
    change_type: str,
    now: datetime,
) -> None:
    """Append one change of ``asset`` (already at its new version) and prune the oldest."""
    changes = config_diff(previous or {}, asset.config) if change_type == "updated" else []
    session.add(
        AssetChange(
            asset_id=asset.asset_id,
            version=asset.version,
            change_type=change_type,
            changed_at=now,
            changes=changes,
        )
    )
    if asset.version <= KEEP_PER_ASSET:
        return  # one entry per version: fewer versions than the bound cannot overflow it
    await session.flush()
    count = await session.scalar(
        select(func.count()).select_from(AssetChange).where(AssetChange.asset_id == asset.asset_id)
    )
    if count and count > KEEP_PER_ASSET:
        oldest = (
            select(AssetChange.id)
            .where(AssetChange.asset_id == asset.asset_id)
            .order_by(AssetChange.version, AssetChange.id)
            .limit(count - KEEP_PER_ASSET)
        )
        ids = list(await session.scalars(oldest))
        await session.execute(delete(AssetChange).where(AssetChange.id.in_(ids)))


async def history(
    session: AsyncSession, asset_id: str, limit: int, offset: int = 0
) -> list[AssetChange]:
    """``limit`` changes of an asset after the newest ``offset``, newest first."""
    query = (
        select(AssetChange)
        .where(AssetChange.asset_id == asset_id)
        .order_by(AssetChange.version.desc(), AssetChange.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(await session.scalars(query))
