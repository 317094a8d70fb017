"""The per-asset cursor of the last evaluated version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.assessor.models import AssetCursor


async def last_version(session: AsyncSession, asset_id: str) -> int | None:
    """The highest version of ``asset_id`` already evaluated, if any."""
    cursor = await session.get(AssetCursor, asset_id)
    return cursor.version if cursor else None


async def remember_version(
    session: AsyncSession, asset_id: str, version: int, evaluated_at: datetime
) -> None:
    """Record that ``version`` of ``asset_id`` was evaluated."""
    cursor = await session.get(AssetCursor, asset_id)
    if cursor is None:
        session.add(AssetCursor(asset_id=asset_id, version=version, evaluated_at=evaluated_at))
    else:
        cursor.version = version
        cursor.evaluated_at = evaluated_at
