"""Queries behind the violations listing and exports: filters, keyset sort, paging."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.db import Database
from pacbot.violations.aggregates.maintenance import TAG_KEYS
from pacbot.violations.aggregates.reads import violations_counted
from pacbot.violations.compliance.repository import built_tallies
from pacbot.violations.compliance.scope import Constraints
from pacbot.violations.filters import any_of, tag_clauses
from pacbot.violations.lifecycle.query import (
    SEVERITY_RANK,
    Position,
    ViolationFilters,
    decode_cursor,
    encode_cursor,
)
from pacbot.violations.models import ViolationRow, as_utc

SEVERITY_ORDER = case(SEVERITY_RANK, value=ViolationRow.severity, else_=0)


@dataclass(frozen=True)
class Selection:
    """The filters of a listing, with its asset group's criteria once resolved."""

    filters: ViolationFilters
    group: Constraints | None = None


def filter_clauses(selection: Selection, now: datetime) -> list[ColumnElement[bool]]:
    """SQL conditions for every filter that is set; age is measured at ``now``."""
    v = ViolationRow
    filters = selection.filters
    clauses = [
        *(selection.group.clauses(v) if selection.group is not None else []),
        *any_of(v.status, filters.status),
        *any_of(v.policy_id, filters.policy_id),
        *any_of(v.asset_id, filters.asset_id),
        *any_of(v.severity, filters.severity),
        *any_of(v.category, filters.category),
        *any_of(v.account_id, filters.account_id),
        *any_of(v.region, filters.region),
        *any_of(v.resource_type, filters.resource_type),
        *any_of(v.owner, filters.owner),
        *tag_clauses(v.tags, filters.tags),
    ]
    earliest, latest = filters.opened_bounds(now)
    if earliest is not None:
        clauses.append(v.opened_at >= earliest)
    if latest is not None:
        clauses.append(v.opened_at <= latest)
    return clauses


@dataclass(frozen=True)
class Ordering:
    """A sort field and order as a SQL expression, its direction and a row's value of it."""

    sort: str
    order: str

    @property
    def expression(self) -> Any:
        """What rows are ordered by (age is ``opened_at`` run the other way)."""
        if self.sort == "severity":
            return SEVERITY_ORDER
        if self.sort == "age":
            return ViolationRow.opened_at
        return getattr(ViolationRow, self.sort)

    @property
    def descending(self) -> bool:
        """True when the expression runs high to low (older means larger age)."""
        return (self.order == "desc") != (self.sort == "age")

    def value_of(self, row: ViolationRow | Row[Any]) -> Any:
        """The row's sort value, as a cursor stores it."""
        if self.sort == "severity":
            return SEVERITY_RANK.get(row.severity, 0)
        if self.sort in ("age", "opened_at"):
            return as_utc(row.opened_at)
        if self.sort == "updated_at":
            return as_utc(row.updated_at)
        return getattr(row, self.sort)

    def after(self, position: Position) -> ColumnElement[bool]:
        """Rows strictly after ``position`` in this order (ties broken by id, ascending)."""
        expression = self.expression
        beyond = expression < position.value if self.descending else expression > position.value
        tied = and_(expression == position.value, ViolationRow.violation_id > position.violation_id)
        return or_(beyond, tied)

    def apply(self, query: Select[Any]) -> Select[Any]:
        """``query`` ordered by this sort with ``violation_id`` ascending as the tiebreaker."""
        primary = self.expression.desc() if self.descending else self.expression.asc()
        return query.order_by(primary, ViolationRow.violation_id.asc())


async def tallied_total(session: AsyncSession, selection: Selection) -> int | None:
    """How many violations match, read from the violation tallies when every filter is one
    they count by (status, severity, account, region, type, and tags or a group's criteria on
    one tracked key or exactly a counted group's tags); None otherwise (the rows are
    counted)."""
    if TAG_KEYS not in session.info:
        return None
    f = selection.filters
    if f.policy_id or f.asset_id or f.category or f.owner:
        return None
    if f.min_age_days is not None or f.max_age_days is not None:
        return None
    scope = (selection.group or Constraints()).narrowed(
        {
            "accounts": list(f.account_id),
            "regions": list(f.region),
            "resource_types": list(f.resource_type),
            "tags": f.tags,
        }
    )
    if scope.python_tags:
        return None
    built = await built_tallies(session)
    dimension = built.dimension(scope) if built is not None else None
    if dimension is None:
        return None
    if scope.empty:
        return 0
    return await violations_counted(session, scope, dimension, f.status, f.severity)


@dataclass(frozen=True)
class ViolationPage:
    """One page of rows, the total matching and the cursor of the next page."""

    rows: Sequence[ViolationRow]
    total: int
    next_cursor: str | None


async def find_violations(
    session: AsyncSession,
    selection: Selection,
    ordering: Ordering,
    *,
    limit: int,
    offset: int,
    cursor: str | None,
    now: datetime,
) -> ViolationPage:
    """One page of violations in the given order, by offset or after a cursor."""
    filters = selection.filters
    position = decode_cursor(cursor, ordering.sort, ordering.order, filters) if cursor else None
    if position is not None:
        now = position.now
    clauses = filter_clauses(selection, now)
    total = await tallied_total(session, selection)
    if total is None:
        total = await session.scalar(select(func.count()).select_from(ViolationRow).where(*clauses))
    query = select(ViolationRow).where(*clauses)
    if position is not None:
        query = query.where(ordering.after(position))
    query = ordering.apply(query).limit(limit + 1).offset(offset)
    rows = (await session.scalars(query)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = encode_cursor(
            ordering.sort, ordering.order, filters, now, ordering.value_of(last), last.violation_id
        )
    return ViolationPage(rows=rows, total=total or 0, next_cursor=next_cursor)


# A violation read as plain columns (exports): the same attribute names as ViolationRow.
ViolationRecord = ViolationRow | Row[Any]


async def stream_violations(
    db: Database, selection: Selection, ordering: Ordering, now: datetime, batch: int = 2000
) -> AsyncIterator[list[ViolationRecord]]:
    """Every matching violation in order, in keyset batches (one short session each).

    Rows come back as column tuples, not ORM objects: an export reads each row once.
    """
    clauses = filter_clauses(selection, now)
    position: Position | None = None
    while True:
        query = select(*ViolationRow.__table__.columns).where(*clauses)
        if position is not None:
            query = query.where(ordering.after(position))
        async with db.session() as session:
            rows: list[ViolationRecord] = list(
                (await session.execute(ordering.apply(query).limit(batch))).all()
            )
        if rows:
            yield rows
        if len(rows) < batch:
            return
        last = rows[-1]
        position = Position(now=now, value=ordering.value_of(last), violation_id=last.violation_id)


async def get_violation(session: AsyncSession, violation_id: str) -> ViolationRow | None:
    """One violation by id."""
    return await session.get(ViolationRow, violation_id)
