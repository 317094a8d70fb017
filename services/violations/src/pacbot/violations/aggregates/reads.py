"""Figures read from the tallies: a few thousand cells instead of every result.

A scope is answerable here when it constrains no tag key (the "" dimension), one tracked tag
key (that key's dimension), or exactly the tags of an asset group the tallies count by, with
accounts, regions and types within the group's (that group's cells: they hold what the group
admits, and the scope's own account, region and type conditions narrow them to the scope).
The cells are summed with the account, region and type conditions; without any (and not
broken down by account, region or type), the dimension's roll-up cells are summed instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.violations.aggregates.cells import ALL, GROUP_DIMENSION, Groups
from pacbot.violations.compliance.scope import Constraints
from pacbot.violations.compliance.tally import Tally, tally_of
from pacbot.violations.filters import any_of
from pacbot.violations.models import AssetTally, ResultTally, ViolationTally


@dataclass(frozen=True)
class Dimension:
    """Which cells answer a scope: a tag key ("" = every asset) and its admitted values, and
    whether the roll-up cells (every account, region and type) or the others."""

    tag_key: str
    values: tuple[str, ...] = ()
    rollup: bool = False

    def clauses(self, model: Any) -> list[Any]:
        """The dimension's conditions on a tally table."""
        rolled = model.account_id == ALL if self.rollup else model.account_id != ALL
        if not self.tag_key:
            return [model.tag_key == "", model.tag_value == "", rolled]
        return [model.tag_key == self.tag_key, model.tag_value.in_(self.values), rolled]

    def within(self, scope: Constraints, by: str | None) -> Dimension:
        """These cells for ``scope``: the roll-ups when it has no account, region or type
        condition and is not broken down by one."""
        columns = (scope.accounts, scope.regions, scope.resource_types)
        wide = all(c is None for c in columns) and by in (None, "tag_value")
        return replace(self, rollup=wide)


def dimension_of(
    scope: Constraints, tag_keys: Sequence[str], groups: Groups = ()
) -> Dimension | None:
    """The cells that answer ``scope``; None when the tallies cannot (use the raw rows)."""
    if not scope.tags:
        return Dimension("")
    if len(scope.tags) == 1:
        [(key, values)] = scope.tags.items()
        if key in tag_keys:
            return Dimension(key, tuple(sorted(values)))
    for name, rule in groups:
        if rule.tags == scope.tags and scope.within_columns(rule):
            return Dimension(GROUP_DIMENSION, (name,))
    return None


def _group(model: Any, by: str | None) -> list[Any]:
    return [getattr(model, by)] if by else []


def _key(values: tuple[Any, ...], by: str | None) -> tuple[str, tuple[Any, ...]]:
    return (str(values[0]), values[1:]) if by else ("", values)


async def from_tallies(
    session: AsyncSession, scope: Constraints, dimension: Dimension, by: str | None
) -> dict[str, Tally]:
    """The scope's tallies (one per value of ``by``, or one keyed "") summed from the cells."""
    tallies: dict[str, Tally] = {}
    dimension = dimension.within(scope, by)
    r, a, v = ResultTally, AssetTally, ViolationTally
    results = await session.execute(
        select(
            *_group(r, by),
            r.policy_id,
            func.max(r.policy_name),
            func.max(r.severity),
            func.max(r.category),
            func.sum(r.passing),
            func.sum(r.failing),
            func.sum(r.exempted),
            func.sum(r.unknown),
            func.sum(r.not_applicable),
        )
        .where(*dimension.clauses(r), *scope.column_clauses(r))
        .group_by(*_group(r, by), r.policy_id)
    )
    for row in results.all():
        key, (policy_id, name, severity, category, *counts) = _key(tuple(row), by)
        policy = tally_of(tallies, key).policy(policy_id, name, severity, category)
        passing, failing, exempted, unknown, not_applicable = (int(n) for n in counts)
        policy.passing, policy.failing, policy.exempted = passing, failing, exempted
        policy.unknown, policy.not_applicable = unknown, not_applicable
    assets = await session.execute(
        select(*_group(a, by), func.sum(a.evaluated), func.sum(a.unknown))
        .where(*dimension.clauses(a), *scope.column_clauses(a))
        .group_by(*_group(a, by))
    )
    for row in assets.all():
        key, (evaluated, unknown) = _key(tuple(row), by)
        tally = tally_of(tallies, key)
        tally.evaluated_assets, tally.unknown_assets = int(evaluated or 0), int(unknown or 0)
    violations = await session.execute(
        select(*_group(v, by), v.status, v.severity, func.sum(v.violations))
        .where(*dimension.clauses(v), *scope.column_clauses(v))
        .group_by(*_group(v, by), v.status, v.severity)
    )
    for row in violations.all():
        key, (status, severity, n) = _key(tuple(row), by)
        tally_of(tallies, key).count_violations(status, severity, int(n))
    return tallies


async def violations_counted(
    session: AsyncSession,
    scope: Constraints,
    dimension: Dimension,
    statuses: Sequence[str],
    severities: Sequence[str],
) -> int:
    """Violations in ``scope`` with these statuses and severities (any, when none given)."""
    v = ViolationTally
    dimension = dimension.within(scope, None)
    total = await session.scalar(
        select(func.coalesce(func.sum(v.violations), 0)).where(
            *dimension.clauses(v),
            *scope.column_clauses(v),
            *any_of(v.status, statuses),
            *any_of(v.severity, severities),
        )
    )
    return int(total or 0)
