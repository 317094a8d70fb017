"""Queries over asset groups and the assets their criteria cover."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.search import matches
from pacbot.inventory.models import Asset, AssetGroup


async def get(session: AsyncSession, name: str) -> AssetGroup | None:
    """One group by name."""
    return await session.get(AssetGroup, name)


async def all_groups(session: AsyncSession) -> list[AssetGroup]:
    """Every group, by name."""
    return list(await session.scalars(select(AssetGroup).order_by(AssetGroup.name)))


def _narrowed(criteria: Mapping[str, Any]) -> Select[Asset]:
    """Current assets the column criteria admit; tags are checked by :func:`matches`."""
    query = select(Asset).where(Asset.deleted.is_(False))
    if criteria.get("accounts"):
        query = query.where(Asset.account_id.in_(list(criteria["accounts"])))
    if criteria.get("regions"):
        query = query.where(Asset.region.in_(list(criteria["regions"])))
    if criteria.get("resource_types"):
        query = query.where(Asset.resource_type.in_(list(criteria["resource_types"])))
    return query


async def count_members(session: AsyncSession, criteria: Mapping[str, Any]) -> int:
    """How many current assets match: in SQL when no tag criterion needs checking."""
    if not criteria.get("tags"):
        query = _narrowed(criteria)
        total = await session.scalar(select(func.count()).select_from(query.subquery()))
        return int(total or 0)
    return sum([1 async for _ in members(session, criteria)])


async def members(
    session: AsyncSession, criteria: Mapping[str, Any], batch: int = 500
) -> AsyncIterator[Asset]:
    """Every current asset matching ``criteria``, by id, read in id-keyset batches."""
    query = _narrowed(criteria).order_by(Asset.asset_id).limit(batch)
    after: str | None = None
    while True:
        chunk_query = query if after is None else query.where(Asset.asset_id > after)
        chunk = list(await session.scalars(chunk_query))
        for asset in chunk:
            if matches(criteria, asset):
                yield asset
        if len(chunk) < batch:
            return
        after = chunk[-1].asset_id
