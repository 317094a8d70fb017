"""Figures counted from the raw rows: for scopes the tallies cannot answer (several tag keys,
or a tag key that is not tracked), and as the reference the tallies are tested against.

Counting is done by the database (GROUP BY, tag conditions on the JSON tags column); only tag
keys SQL cannot address are checked in Python on streamed rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.violations.aggregates.cells import DECIDED
from pacbot.violations.compliance.scope import Constraints
from pacbot.violations.compliance.tally import Tally, tally_of
from pacbot.violations.models import ResultRow, ViolationRow

ByColumn = str | None  # account_id, region or resource_type; None: the scope as a whole


def _exempted_join() -> Any:
    return and_(
        ViolationRow.asset_id == ResultRow.asset_id,
        ViolationRow.policy_id == ResultRow.policy_id,
        ViolationRow.status == "exempted",
    )


def _group(model: Any, by: ByColumn) -> list[Any]:
    return [getattr(model, by)] if by else []


async def recounted(session: AsyncSession, scope: Constraints, by: ByColumn) -> dict[str, Tally]:
    """The scope's tallies (one per value of ``by``, or one keyed "") from the raw rows."""
    if scope.python_tags:
        return await _streamed(session, scope, by)
    tallies: dict[str, Tally] = {}
    live = [ResultRow.deleted.is_(False), *scope.clauses(ResultRow)]
    exempted = ViolationRow.violation_id.is_not(None)
    group = _group(ResultRow, by)
    rows = await session.execute(
        select(
            *group,
            ResultRow.policy_id,
            func.max(ResultRow.policy_name),
            func.max(ResultRow.severity),
            func.max(ResultRow.category),
            ResultRow.status,
            exempted,
            func.count(),
        )
        .outerjoin(ViolationRow, _exempted_join())
        .where(*live)
        .group_by(*group, ResultRow.policy_id, ResultRow.status, exempted)
    )
    for row in rows.all():
        key, (policy_id, name, severity, category, status, is_exempted, n) = _split(row, by)
        tally = tally_of(tallies, key)
        tally.policy(policy_id, name, severity, category).count(status, bool(is_exempted), n)
    assets = await session.execute(
        select(
            *group,
            func.count(distinct(ResultRow.asset_id)).filter(ResultRow.status.in_(DECIDED)),
            func.count(distinct(ResultRow.asset_id)).filter(ResultRow.status == "error"),
        )
        .where(*live)
        .group_by(*group)
    )
    for row in assets.all():
        key, (evaluated, unknown) = _split(row, by)
        tally = tally_of(tallies, key)
        tally.evaluated_assets, tally.unknown_assets = evaluated, unknown
    violations = await session.execute(
        select(*_group(ViolationRow, by), ViolationRow.status, ViolationRow.severity, func.count())
        .where(*scope.clauses(ViolationRow))
        .group_by(*_group(ViolationRow, by), ViolationRow.status, ViolationRow.severity)
    )
    for row in violations.all():
        key, (status, severity, n) = _split(row, by)
        tally_of(tallies, key).count_violations(status, severity, n)
    return tallies


def _split(row: Any, by: ByColumn) -> tuple[str, tuple[Any, ...]]:
    values = tuple(row)
    return (str(values[0]), values[1:]) if by else ("", values)


async def _streamed(session: AsyncSession, scope: Constraints, by: ByColumn) -> dict[str, Tally]:
    query = (
        select(
            ResultRow.policy_id,
            ResultRow.policy_name,
            ResultRow.severity,
            ResultRow.category,
            ResultRow.status,
            ResultRow.asset_id,
            ViolationRow.violation_id.is_not(None),
            ResultRow.asset,
        )
        .outerjoin(ViolationRow, _exempted_join())
        .where(ResultRow.deleted.is_(False), *scope.clauses(ResultRow))
        .execution_options(yield_per=2000)
    )
    tallies: dict[str, Tally] = {}
    evaluated: dict[str, set[str]] = {}
    unknown: dict[str, set[str]] = {}
    async for row in await session.stream(query):
        policy_id, name, severity, category, status, asset_id, exempted, asset = row
        if not scope.admits(asset):
            continue
        key = str(asset.get(by, "")) if by else ""
        tally = tally_of(tallies, key)
        tally.policy(policy_id, name, severity, category).count(status, bool(exempted))
        if status in DECIDED:
            evaluated.setdefault(key, set()).add(asset_id)
        elif status == "error":
            unknown.setdefault(key, set()).add(asset_id)
    for key, tally in tallies.items():
        tally.evaluated_assets = len(evaluated.get(key, ()))
        tally.unknown_assets = len(unknown.get(key, ()))
    query_violations = select(ViolationRow.status, ViolationRow.severity, ViolationRow.asset).where(
        *scope.clauses(ViolationRow)
    )
    async for status, severity, asset in await session.stream(
        query_violations.execution_options(yield_per=2000)
    ):
        if scope.admits(asset):
            key = str(asset.get(by, "")) if by else ""
            tally_of(tallies, key).count_violations(status, severity)
    return tallies
