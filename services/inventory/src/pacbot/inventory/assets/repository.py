"""Queries over the asset table."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.inventory.models import Asset


@dataclass(frozen=True)
class AssetFilter:
    """Exact filters on the asset list."""

    resource_type: str | None = None
    account_id: str | None = None
    region: str | None = None
    include_deleted: bool = False

    def apply(self, query: Select[Asset]) -> Select[Asset]:
        """``query`` narrowed to the assets this filter admits."""
        if self.resource_type:
            query = query.where(Asset.resource_type == self.resource_type)
        if self.account_id:
            query = query.where(Asset.account_id == self.account_id)
        if self.region:
            query = query.where(Asset.region == self.region)
        if not self.include_deleted:
            query = query.where(Asset.deleted.is_(False))
        return query


async def page(
    session: AsyncSession, where: AssetFilter, *, limit: int, offset: int
) -> tuple[list[Asset], int]:
    """One page of matching assets by id, and the total count."""
    matching = where.apply(select(Asset))
    total = await session.scalar(select(func.count()).select_from(matching.subquery()))
    rows = await session.scalars(matching.order_by(Asset.asset_id).limit(limit).offset(offset))
    return list(rows), int(total or 0)


async def get(session: AsyncSession, asset_id: str) -> Asset | None:
    """One asset by id, deleted or not."""
    return await session.get(Asset, asset_id)


async def current(
    session: AsyncSession, resource_types: Sequence[str] | None, batch: int = 500
) -> AsyncIterator[Asset]:
    """Every non-deleted asset of ``resource_types`` (all types when None), in id-keyset batches."""
    query = select(Asset).where(Asset.deleted.is_(False)).order_by(Asset.asset_id).limit(batch)
    if resource_types is not None:
        query = query.where(Asset.resource_type.in_(list(resource_types)))
    after: str | None = None
    while True:
        batch_query = query if after is None else query.where(Asset.asset_id > after)
        chunk = list(await session.scalars(batch_query))
        for asset in chunk:
            yield asset
        if len(chunk) < batch:
            return
        after = chunk[-1].asset_id
