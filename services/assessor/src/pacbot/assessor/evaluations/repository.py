"""The per-asset cursor of the last evaluated version, read and written a batch at a time."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.assessor.models import AssetCursor


async def evaluated_versions(session: AsyncSession, asset_ids: Collection[str]) -> dict[str, int]:
    """The last evaluated version of each of ``asset_ids`` evaluated before, in one query."""
    if not asset_ids:
        return {}
    rows = await session.execute(
        select(AssetCursor.asset_id, AssetCursor.version).where(AssetCursor.asset_id.in_(asset_ids))
    )
    return {asset_id: version for asset_id, version in rows}


async def remember_versions(
    session: AsyncSession,
    before: Mapping[str, int],
    versions: Mapping[str, int],
    evaluated_at: datetime,
) -> None:
    """Record each asset's evaluated version: one INSERT of the new cursors, one UPDATE of
    those in ``before`` (bulk statements, no per-row unit of work)."""
    rows = [
        {"asset_id": asset_id, "version": version, "evaluated_at": evaluated_at}
        for asset_id, version in versions.items()
    ]
    new = [row for row in rows if row["asset_id"] not in before]
    moved = [row for row in rows if row["asset_id"] in before]
    if new:
        await session.execute(insert(AssetCursor), new)
    if moved:
        await session.execute(update(AssetCursor), moved)
