"""Reads behind the compliance figures: latest results and violations within a scope."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.violations.compliance.scope import Scope
from pacbot.violations.models import ResultRow, ViolationRow


@dataclass
class PolicyTally:
    """Live results of one policy by status; ``exempted`` counts failures under an exception."""

    policy_id: str
    name: str
    severity: str
    category: str
    passing: int = 0
    failing: int = 0
    exempted: int = 0
    unknown: int = 0
    not_applicable: int = 0


@dataclass
class Tally:
    """Everything the figures of one scope are computed from."""

    policies: dict[str, PolicyTally] = field(default_factory=dict)
    evaluated_assets: set[str] = field(default_factory=set)
    unknown_assets: set[str] = field(default_factory=set)
    violations: Counter[str] = field(default_factory=Counter)

    def add(self, row: Sequence[Any]) -> None:
        """Count one live result: (policy id, name, severity, category, status, asset, exempted)."""
        policy_id, name, severity, category, status, asset_id, exempted = row[:7]
        tally = self.policies.get(policy_id)
        if tally is None:
            tally = PolicyTally(policy_id, name, severity, category)
            self.policies[policy_id] = tally
        if status == "pass":
            tally.passing += 1
        elif status == "fail":
            tally.failing += 1
            tally.exempted += 1 if exempted else 0
        elif status == "error":
            tally.unknown += 1
            self.unknown_assets.add(asset_id)
        else:
            tally.not_applicable += 1
        if status in ("pass", "fail"):
            self.evaluated_assets.add(asset_id)


async def tally_scope(session: AsyncSession, scope: Scope) -> Tally:
    """Results and violations of the scope's live assets, streamed and counted.

    A failure is exempted when its violation is currently exempted. With a group, the SQL
    prefilter narrows by the group's accounts/regions/types and each stored asset summary is
    then checked with the group rule itself.
    """
    tally = Tally()
    exempted = ViolationRow.violation_id.is_not(None)
    columns = [
        ResultRow.policy_id,
        ResultRow.policy_name,
        ResultRow.severity,
        ResultRow.category,
        ResultRow.status,
        ResultRow.asset_id,
        exempted,
    ]
    if scope.criteria is not None:
        columns.append(ResultRow.asset)
    query = (
        select(*columns)
        .outerjoin(
            ViolationRow,
            and_(
                ViolationRow.asset_id == ResultRow.asset_id,
                ViolationRow.policy_id == ResultRow.policy_id,
                ViolationRow.status == "exempted",
            ),
        )
        .where(ResultRow.deleted.is_(False), *scope.clauses(ResultRow))
        .execution_options(yield_per=2000)
    )
    async for row in await session.stream(query):
        if scope.criteria is not None and not scope.admits(row._mapping[ResultRow.asset]):
            continue
        tally.add(tuple(row))
    tally.violations = await violation_counts(session, scope)
    return tally


async def violation_counts(session: AsyncSession, scope: Scope) -> Counter[str]:
    """Violations in scope by status."""
    if scope.criteria is None:
        rows = await session.execute(
            select(ViolationRow.status, func.count())
            .where(*scope.clauses(ViolationRow))
            .group_by(ViolationRow.status)
        )
        return Counter({status: count for status, count in rows.all()})
    counts: Counter[str] = Counter()
    query = select(ViolationRow.status, ViolationRow.asset).where(*scope.clauses(ViolationRow))
    async for status, asset in await session.stream(query.execution_options(yield_per=2000)):
        if scope.admits(asset):
            counts[status] += 1
    return counts


async def scoped_accounts(session: AsyncSession) -> list[str]:
    """Accounts that have live results (each gets its own daily snapshot)."""
    rows = await session.scalars(
        select(ResultRow.account_id)
        .distinct()
        .where(ResultRow.deleted.is_(False))
        .order_by(ResultRow.account_id)
    )
    return list(rows.all())
