"""Aggregate queries over results and violations, filtered by account and resource type."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.violations.models import ResultRow, ViolationRow

DECIDED = ("pass", "fail")


@dataclass(frozen=True)
class PolicyCounts:
    """Live (non-deleted) results of one policy by status."""

    policy_id: str
    name: str
    severity: str
    category: str
    passing: int
    failing: int


@dataclass(frozen=True)
class Scope:
    """The optional filters of the summary."""

    account_id: str | None = None
    resource_type: str | None = None

    def on(self, model: type[ResultRow] | type[ViolationRow]) -> list[ColumnElement[bool]]:
        """SQL conditions restricting ``model`` to this scope."""
        clauses: list[ColumnElement[bool]] = []
        if self.account_id:
            clauses.append(model.account_id == self.account_id)
        if self.resource_type:
            clauses.append(model.resource_type == self.resource_type)
        return clauses


async def policy_counts(session: AsyncSession, scope: Scope) -> list[PolicyCounts]:
    """Pass/fail counts per policy that has any live result in scope."""
    rows = await session.execute(
        select(
            ResultRow.policy_id,
            func.max(ResultRow.policy_name),
            func.max(ResultRow.severity),
            func.max(ResultRow.category),
            func.count().filter(ResultRow.status == "pass"),
            func.count().filter(ResultRow.status == "fail"),
        )
        .where(ResultRow.deleted.is_(False), *scope.on(ResultRow))
        .group_by(ResultRow.policy_id)
        .order_by(ResultRow.policy_id)
    )
    return [PolicyCounts(*row) for row in rows.all()]


async def evaluated_assets(session: AsyncSession, scope: Scope) -> int:
    """Distinct live assets with at least one pass or fail result in scope."""
    count = await session.scalar(
        select(func.count(distinct(ResultRow.asset_id))).where(
            ResultRow.deleted.is_(False), ResultRow.status.in_(DECIDED), *scope.on(ResultRow)
        )
    )
    return count or 0


async def violation_counts(session: AsyncSession, scope: Scope) -> dict[str, int]:
    """Violations in scope by status."""
    rows = await session.execute(
        select(ViolationRow.status, func.count())
        .where(*scope.on(ViolationRow))
        .group_by(ViolationRow.status)
    )
    return {status: count for status, count in rows.all()}
