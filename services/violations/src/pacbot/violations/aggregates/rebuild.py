"""Tallies recounted from the raw rows in SQL: the rebuild, the start-up check and the test's
independent recount (the maintenance counts the same things row by row in Python).

``pacbot-violations rebuild-aggregates`` runs :func:`rebuild_tallies`; the app runs
:func:`ensure_tallies` at start, which rebuilds when the tallies were never built or hold
other tag keys than the configured ones. A rebuild keeps the asset groups the tallies count
by; :func:`rebuild_group` recounts one group's cells when the group appears, changes or goes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, case, delete, distinct, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.db import Database
from pacbot.violations.aggregates.cells import (
    ALL,
    DECIDED,
    GROUP_DIMENSION,
    MAX_GROUP_NAME,
    ROLLED_UP,
    Counts,
    Groups,
    Key,
    countable,
    group_rules,
)
from pacbot.violations.aggregates.maintenance import CHUNK, STATE_ID
from pacbot.violations.aggregates.tables import ASSETS, RESULTS, TALLIES, VIOLATIONS, TallyTable
from pacbot.violations.compliance.scope import Constraints
from pacbot.violations.models import ResultRow, TallyState, ViolationRow

Counted = dict[str, dict[Key, Counts]]


@dataclass(frozen=True)
class Counting:
    """One dimension to count: every asset (""), a tracked tag key, or an asset group."""

    tag_key: str = ""
    group: str = ""
    rule: Constraints | None = None

    @classmethod
    def of_group(cls, name: str, rule: Constraints) -> Counting:
        return cls(GROUP_DIMENSION, name, rule)

    def split(self, table: Any) -> tuple[Any, list[Any]]:
        """The column holding the dimension's value (None: the value is fixed) and the
        conditions of the rows it counts."""
        if self.rule is not None:
            return None, self.rule.clauses(table.c)
        if not self.tag_key:
            return None, []
        value = table.c.tags[self.tag_key].as_string()
        return value, [value.is_not(None)]


def _dimensions(tag_keys: Sequence[str], groups: Groups) -> list[Counting]:
    return [
        Counting(),
        *(Counting(key) for key in tag_keys),
        *(Counting.of_group(name, rule) for name, rule in groups),
    ]


def _sum_of(expression: Any) -> Any:
    return func.coalesce(func.sum(case((expression, 1), else_=0)), 0)


async def _results(session: AsyncSession, dim: Counting, rollup: bool) -> list[tuple[Key, Counts]]:
    r, v = ResultRow.__table__, ViolationRow.__table__
    exempt = (
        select(v.c.asset_id, v.c.policy_id).where(v.c.status == "exempted").distinct().subquery()
    )
    value, present = dim.split(r)
    keys = _key_columns(r, RESULTS, rollup)
    grouping = [*([value] if value is not None else []), *keys]
    is_exempted = exempt.c.asset_id.is_not(None)
    query = (
        select(
            *grouping,
            _sum_of(r.c.status == "pass"),
            _sum_of(r.c.status == "fail"),
            _sum_of(and_(r.c.status == "fail", is_exempted)),
            _sum_of(r.c.status == "error"),
            _sum_of(r.c.status.not_in(("pass", "fail", "error"))),
        )
        .outerjoin(
            exempt, and_(exempt.c.asset_id == r.c.asset_id, exempt.c.policy_id == r.c.policy_id)
        )
        .where(r.c.deleted.is_(False), *present)
        .group_by(*grouping)
    )
    return _keyed(await session.execute(query), dim, len(keys), rollup)


async def _assets(session: AsyncSession, dim: Counting, rollup: bool) -> list[tuple[Key, Counts]]:
    r = ResultRow.__table__
    value, present = dim.split(r)
    keys = _key_columns(r, ASSETS, rollup)
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
    return _keyed(await session.execute(query), dim, len(keys), rollup)


async def _violations(
    session: AsyncSession, dim: Counting, rollup: bool
) -> list[tuple[Key, Counts]]:
    v = ViolationRow.__table__
    value, present = dim.split(v)
    keys = _key_columns(v, VIOLATIONS, rollup)
    grouping = [*([value] if value is not None else []), *keys]
    query = select(*grouping, func.count()).where(*present).group_by(*grouping)
    return _keyed(await session.execute(query), dim, len(keys), rollup)


def _key_columns(table: Any, tally: TallyTable, rollup: bool) -> list[Any]:
    """The key columns after the dimension (without account, region and type for roll-ups)."""
    names = tally.key[2:]
    return [table.c[name] for name in (names[ROLLED_UP:] if rollup else names)]


def _keyed(rows: Any, dim: Counting, width: int, rollup: bool) -> list[tuple[Key, Counts]]:
    cells = []
    for row in rows.all():
        values = tuple(row)
        if not dim.tag_key or dim.rule is not None:
            values = (dim.group, *values)
        head = [str(x) for x in values[: width + 1]]
        if rollup:
            head[1:1] = [ALL] * ROLLED_UP
        key: Key = (dim.tag_key, *head)
        counts: Counts = tuple(int(n) for n in values[width + 1 :])
        if any(counts):
            cells.append((key, counts))
    return cells


async def _count(session: AsyncSession, dims: Sequence[Counting]) -> Counted:
    counted: Counted = {t.name: {} for t in TALLIES}
    for dim in dims:
        for tally, count in ((RESULTS, _results), (ASSETS, _assets), (VIOLATIONS, _violations)):
            for rollup in (False, True):
                counted[tally.name].update(await count(session, dim, rollup))
    return counted


async def recount(
    session: AsyncSession, tag_keys: Sequence[str], groups: Mapping[str, Any] | None = None
) -> Counted:
    """Every tally's cells for these tag keys and groups ({name: criteria}), counted from the
    raw rows (nothing is written)."""
    return await _count(session, _dimensions(tag_keys, group_rules(groups)))


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


async def _insert(session: AsyncSession, tally: TallyTable, cells: dict[Key, Counts]) -> None:
    rows = [tally.row(key, counts) for key, counts in sorted(cells.items())]
    for start in range(0, len(rows), CHUNK):
        await session.execute(tally.table.insert(), rows[start : start + CHUNK])


async def rebuild_in(session: AsyncSession, tag_keys: Sequence[str]) -> dict[str, int]:
    """Recount every tally from the raw rows in this transaction, for these tag keys and the
    groups the tallies count by; cells per tally."""
    state = await _lock_state(session)  # writers wait, and count on top of the rebuilt cells
    counted = await recount(session, tag_keys, state.groups)
    for tally in TALLIES:
        await session.execute(delete(tally.table))
        await _insert(session, tally, counted[tally.name])
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


async def rebuild_group(db: Database, name: str, criteria: Mapping[str, Any] | None) -> bool:
    """Count one asset group's cells anew for ``criteria`` (None: the group is gone, its cells
    go too), in one transaction under the tallies' lock; False when there was nothing to do
    (already counted for these criteria, or the tallies were never built)."""
    async with db.session() as session:
        state = await _lock_state(session)
        groups = dict(state.groups or {})
        if state.tag_keys is None or groups.get(name) == criteria:
            return False
        for tally in TALLIES:
            at = tally.table.c
            await session.execute(
                delete(tally.table).where(at.tag_key == GROUP_DIMENSION, at.tag_value == name)
            )
        if criteria is None:
            groups.pop(name, None)
        else:
            groups[name] = dict(criteria)
            rule = Constraints().narrowed(criteria)
            counted = await _count(session, [Counting.of_group(name, rule)])
            for tally in TALLIES:
                await _insert(session, tally, counted[tally.name])
        await session.execute(
            update(TallyState)
            .where(TallyState.id == STATE_ID)
            .values(changes=TallyState.changes + 1, groups=groups or None)
        )
        return True


async def sync_groups(db: Database, groups: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Make the tallies count by exactly these groups ({name: criteria}): each group that is
    new or changed is counted anew and each one gone is dropped, one group per transaction (so
    writers wait for one group at a time). Groups SQL cannot recount (a tag key with a quote or
    backslash) are left to the raw rows. Returns the names whose cells changed."""
    wanted = {
        name: dict(criteria)
        for name, criteria in groups.items()
        if len(name) <= MAX_GROUP_NAME and countable(criteria)
    }
    async with db.session() as session:
        held = await session.scalar(select(TallyState.groups).where(TallyState.id == STATE_ID))
    held = dict(held or {})
    changed = sorted(n for n in held.keys() | wanted.keys() if held.get(n) != wanted.get(n))
    return [name for name in changed if await rebuild_group(db, name, wanted.get(name))]
