"""Tallies recounted from the raw rows in SQL: the rebuild, the start-up check and the test's
independent recount (the maintenance counts the same things row by row in Python).

``pacbot-violations rebuild-aggregates`` runs :func:`rebuild_tallies`; the app runs
:func:`ensure_tallies` at start, which rebuilds when the tallies were never built or hold
other tag keys than the configured ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, case, delete, distinct, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.db import Database
from pacbot.violations.aggregates.cells import DECIDED, Counts, Key
from pacbot.violations.aggregates.maintenance import CHUNK, STATE_ID
from pacbot.violations.aggregates.tables import ASSETS, RESULTS, TALLIES, VIOLATIONS, TallyTable
from pacbot.violations.models import ResultRow, TallyState, ViolationRow

Counted = dict[str, dict[Key, Counts]]


def _dimension(table: Any, tag_key: str) -> tuple[Any, list[Any]]:
    """The dimension value column of ``tag_key`` ("" for every asset) and its condition."""
    if not tag_key:
        return None, []
    value = table.c.tags[tag_key].as_string()
    return value, [value.is_not(None)]


def _count(expression: Any) -> Any:
    return func.coalesce(func.sum(case((expression, 1), else_=0)), 0)


async def _results(session: AsyncSession, tag_key: str) -> list[tuple[Key, Counts]]:
    r, v = ResultRow.__table__, ViolationRow.__table__
    exempt = (
        select(v.c.asset_id, v.c.policy_id).where(v.c.status == "exempted").distinct().subquery()
    )
    value, present = _dimension(r, tag_key)
    keys = [r.c[name] for name in RESULTS.key[2:]]
    grouping = [*([value] if value is not None else []), *keys]
    is_exempted = exempt.c.asset_id.is_not(None)
    query = (
        select(
            *grouping,
            _count(r.c.status == "pass"),
            _count(r.c.status == "fail"),
            _count(and_(r.c.status == "fail", is_exempted)),
            _count(r.c.status == "error"),
            _count(r.c.status.not_in(("pass", "fail", "error"))),
        )
        .outerjoin(
            exempt, and_(exempt.c.asset_id == r.c.asset_id, exempt.c.policy_id == r.c.policy_id)
        )
        .where(r.c.deleted.is_(False), *present)
        .group_by(*grouping)
    )
    return _keyed(await session.execute(query), tag_key, len(keys))


async def _assets(session: AsyncSession, tag_key: str) -> list[tuple[Key, Counts]]:
    r = ResultRow.__table__
    value, present = _dimension(r, tag_key)
    keys = [r.c[name] for name in ASSETS.key[2:]]
    grouping = [*([value] if value is not None else []), *keys]
    query = (
        select(
            *grouping,
            func.count(distinct(r.c.asset_id)).filter(r.c.status.in_(DECIDED)),
            func.count(distinct(r.c.asset_id)).filter(r.c.status == "error"),
        )
        .where(r.c.deleted.is_(False), *present)
        .group_by(*grouping)
    )
    return _keyed(await session.execute(query), tag_key, len(keys))


async def _violations(session: AsyncSession, tag_key: str) -> list[tuple[Key, Counts]]:
    v = ViolationRow.__table__
    value, present = _dimension(v, tag_key)
    keys = [v.c[name] for name in VIOLATIONS.key[2:]]
    grouping = [*([value] if value is not None else []), *keys]
    query = select(*grouping, func.count()).where(*present).group_by(*grouping)
    return _keyed(await session.execute(query), tag_key, len(keys))


def _keyed(rows: Any, tag_key: str, width: int) -> list[tuple[Key, Counts]]:
    cells = []
    for row in rows.all():
        values = tuple(row)
        if not tag_key:
            values = ("", *values)
        key: Key = (tag_key, *(str(x) for x in values[: width + 1]))
        counts: Counts = tuple(int(n) for n in values[width + 1 :])
        if any(counts):
            cells.append((key, counts))
    return cells


async def recount(session: AsyncSession, tag_keys: Sequence[str]) -> Counted:
    """Every tally's cells, counted from the raw rows (nothing is written)."""
    counted: Counted = {t.name: {} for t in TALLIES}
    for tag_key in ("", *tag_keys):
        for tally, count in ((RESULTS, _results), (ASSETS, _assets), (VIOLATIONS, _violations)):
            counted[tally.name].update(await count(session, tag_key))
    return counted


async def stored(session: AsyncSession) -> Counted:
    """Every tally's cells as maintained (nothing is written)."""
    counted: Counted = {}
    for tally in TALLIES:
        columns = [tally.table.c[name] for name in (*tally.key, *tally.counts)]
        rows = (await session.execute(select(*columns))).all()
        width = len(tally.key)
        counted[tally.name] = {
            tuple(row[:width]): tuple(int(n) for n in row[width:]) for row in rows
        }
    return counted


async def _lock_state(session: AsyncSession) -> TallyState:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    await session.execute(
        dialect.insert(TallyState)
        .values(id=STATE_ID, changes=0, tag_keys=None, built_at=None)
        .on_conflict_do_nothing(index_elements=["id"])
    )
    state = await session.get(TallyState, STATE_ID, with_for_update=True, populate_existing=True)
    assert state is not None
    return state


async def _write(session: AsyncSession, tally: TallyTable, cells: dict[Key, Counts]) -> None:
    await session.execute(delete(tally.table))
    rows = [tally.row(key, counts) for key, counts in sorted(cells.items())]
    for start in range(0, len(rows), CHUNK):
        await session.execute(tally.table.insert(), rows[start : start + CHUNK])


async def rebuild_in(session: AsyncSession, tag_keys: Sequence[str]) -> dict[str, int]:
    """Recount every tally from the raw rows in this transaction; cells per tally."""
    await _lock_state(session)  # writers wait, and count on top of the rebuilt cells
    counted = await recount(session, tag_keys)
    for tally in TALLIES:
        await _write(session, tally, counted[tally.name])
    await session.execute(
        update(TallyState)
        .where(TallyState.id == STATE_ID)
        .values(changes=TallyState.changes + 1, tag_keys=list(tag_keys), built_at=datetime.now(UTC))
    )
    return {tally.name: len(counted[tally.name]) for tally in TALLIES}


async def rebuild_tallies(db: Database, tag_keys: Sequence[str]) -> dict[str, int]:
    """The operator's rebuild, in one transaction; cells per tally."""
    async with db.session() as session:
        return await rebuild_in(session, tag_keys)


async def ensure_tallies(db: Database, tag_keys: Sequence[str]) -> dict[str, int] | None:
    """Rebuild when never built or built for other tag keys; the cells per tally, if rebuilt."""
    async with db.session() as session:
        state = await _lock_state(session)
        if state.tag_keys == list(tag_keys):
            return None
        return await rebuild_in(session, tag_keys)
