"""Reads behind the compliance figures: latest results and violations within a scope.

Without a group the counting is done by the database (GROUP BY); with a group each stored
asset summary must pass the group rule in Python, so the scope's rows are streamed instead.
Both paths fill the same :class:`Tally`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.violations.compliance.scope import Scope
from pacbot.violations.models import ResultRow, ViolationRow

DECIDED = ("pass", "fail")


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

    def count(self, status: str, exempted: bool, n: int = 1) -> None:
        """Add ``n`` results of ``status``."""
        if status == "pass":
            self.passing += n
        elif status == "fail":
            self.failing += n
            self.exempted += n if exempted else 0
        elif status == "error":
            self.unknown += n
        else:
            self.not_applicable += n


@dataclass
class Tally:
    """Everything the figures of one scope are computed from."""

    policies: dict[str, PolicyTally] = field(default_factory=dict)
    evaluated_assets: int = 0
    unknown_assets: int = 0
    violations: Counter[str] = field(default_factory=Counter)

    def policy(self, policy_id: str, name: str, severity: str, category: str) -> PolicyTally:
        """The tally of one policy, created on first sight."""
        if policy_id not in self.policies:
            self.policies[policy_id] = PolicyTally(policy_id, name, severity, category)
        return self.policies[policy_id]


def _exempted_join() -> Any:
    return and_(
        ViolationRow.asset_id == ResultRow.asset_id,
        ViolationRow.policy_id == ResultRow.policy_id,
        ViolationRow.status == "exempted",
    )


async def tally_scope(session: AsyncSession, scope: Scope) -> Tally:
    """Results and violations of the scope's live assets.

    A failure is exempted when its violation is currently exempted.
    """
    if scope.criteria is None:
        tally = await _grouped(session, scope)
    else:
        tally = await _streamed(session, scope)
    tally.violations = await violation_counts(session, scope)
    return tally


async def _grouped(session: AsyncSession, scope: Scope) -> Tally:
    live = [ResultRow.deleted.is_(False), *scope.clauses(ResultRow)]
    exempted = ViolationRow.violation_id.is_not(None)
    rows = await session.execute(
        select(
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
        .group_by(ResultRow.policy_id, ResultRow.status, exempted)
    )
    tally = Tally()
    for policy_id, name, severity, category, status, is_exempted, n in rows.all():
        tally.policy(policy_id, name, severity, category).count(status, bool(is_exempted), n)
    assets = await session.execute(
        select(
            func.count(distinct(ResultRow.asset_id)).filter(ResultRow.status.in_(DECIDED)),
            func.count(distinct(ResultRow.asset_id)).filter(ResultRow.status == "error"),
        ).where(*live)
    )
    tally.evaluated_assets, tally.unknown_assets = assets.one()
    return tally


async def _streamed(session: AsyncSession, scope: Scope) -> Tally:
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
    tally = Tally()
    evaluated: set[str] = set()
    unknown: set[str] = set()
    async for (
        policy_id,
        name,
        severity,
        category,
        status,
        asset_id,
        exempted,
        asset,
    ) in await session.stream(query):
        if not scope.admits(asset):
            continue
        tally.policy(policy_id, name, severity, category).count(status, bool(exempted))
        if status in DECIDED:
            evaluated.add(asset_id)
        elif status == "error":
            unknown.add(asset_id)
    tally.evaluated_assets, tally.unknown_assets = len(evaluated), len(unknown)
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
