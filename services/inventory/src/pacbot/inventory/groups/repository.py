"""Queries over asset groups and the assets their criteria cover."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.search import matches, tag_values
from pacbot.inventory.models import Asset, AssetGroup


async def get(session: AsyncSession, name: str) -> AssetGroup | None:
    """One group by name."""
    return await session.get(AssetGroup, name)


async def all_groups(session: AsyncSession) -> list[AssetGroup]:
    """Every group, by name."""
    return list(await session.scalars(select(AssetGroup).order_by(AssetGroup.name)))


# SQLite addresses a JSON key as $."key": keys with a quote or backslash are checked in Python.
UNADDRESSABLE = ('"', "\\")


def _in_sql(criteria: Mapping[str, Any]) -> bool:
    """True when every criterion is a SQL condition (no tag key SQL cannot address)."""
    return not any(c in key for key in criteria.get("tags") or {} for c in UNADDRESSABLE)


def _conditions(criteria: Mapping[str, Any]) -> list[Any]:
    """Current assets the criteria admit, as SQL (tags too, when :func:`_in_sql`)."""
    conditions: list[Any] = [Asset.deleted.is_(False)]
    if criteria.get("accounts"):
        conditions.append(Asset.account_id.in_(list(criteria["accounts"])))
    if criteria.get("regions"):
        conditions.append(Asset.region.in_(list(criteria["regions"])))
    if criteria.get("resource_types"):
        conditions.append(Asset.resource_type.in_(list(criteria["resource_types"])))
    if _in_sql(criteria):
        for key, wanted in sorted((criteria.get("tags") or {}).items()):
            conditions.append(Asset.tags[key].as_string().in_(tag_values(wanted)))
    return conditions


def _narrowed(criteria: Mapping[str, Any]) -> Select[Asset]:
    return select(Asset).where(*_conditions(criteria))


async def count_members(session: AsyncSession, criteria: Mapping[str, Any]) -> int:
    """How many current assets match: counted by the database unless a tag key needs Python."""
    if _in_sql(criteria):
        total = await session.scalar(select(func.count()).where(*_conditions(criteria)))
        return int(total or 0)
    return sum([1 async for _ in members(session, criteria)])


async def count_each(session: AsyncSession, criteria: Sequence[Mapping[str, Any]]) -> list[int]:
    """Each criteria's member count: the SQL-expressible ones in one scan (a FILTER each)."""
    counts = [0] * len(criteria)
    in_sql = [i for i, c in enumerate(criteria) if _in_sql(c)]
    if in_sql:
        columns = [func.count().filter(and_(*_conditions(criteria[i]))) for i in in_sql]
        row = (await session.execute(select(*columns).where(Asset.deleted.is_(False)))).one()
        for i, n in zip(in_sql, row, strict=True):
            counts[i] = int(n or 0)
    for i, c in enumerate(criteria):
        if i not in in_sql:
            counts[i] = await count_members(session, c)
    return counts


async def breakdown(
    session: AsyncSession, criteria: Mapping[str, Any], fields: Sequence[str]
) -> tuple[int, dict[str, Counter[str]]]:
    """Members counted in all and by each of ``fields`` (asset columns)."""
    counts: dict[str, Counter[str]] = {name: Counter() for name in fields}
    total = 0
    if _in_sql(criteria):
        columns = [getattr(Asset, name) for name in fields]
        rows = await session.execute(
            select(*columns, func.count()).where(*_conditions(criteria)).group_by(*columns)
        )
        for *values, n in rows.all():
            total += n
            for name, value in zip(fields, values, strict=True):
                counts[name][value] += n
        return total, counts
    async for asset in members(session, criteria):
        total += 1
        for name in fields:
            counts[name][getattr(asset, name)] += 1
    return total, counts


async def member_window(
    session: AsyncSession, criteria: Mapping[str, Any], start: int, size: int
) -> tuple[list[Asset], int]:
    """``size`` members by id from position ``start``, and how many there are."""
    if _in_sql(criteria):
        total = await count_members(session, criteria)
        query = _narrowed(criteria).order_by(Asset.asset_id).offset(start).limit(size)
        return list(await session.scalars(query)), total
    read: list[Asset] = []
    total = 0
    async for asset in members(session, criteria):
        if start <= total < start + size:
            read.append(asset)
        total += 1
    return read, total


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
