"""Queries behind the violations listing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.violations.models import ViolationRow


@dataclass(frozen=True)
class ViolationFilter:
    """Equality filters of ``GET /violations``; None means any."""

    status: str | None = None
    policy_id: str | None = None
    asset_id: str | None = None
    account_id: str | None = None
    severity: str | None = None
    resource_type: str | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        """SQL conditions for the filters that are set."""
        columns = {
            "status": ViolationRow.status,
            "policy_id": ViolationRow.policy_id,
            "asset_id": ViolationRow.asset_id,
            "account_id": ViolationRow.account_id,
            "severity": ViolationRow.severity,
            "resource_type": ViolationRow.resource_type,
        }
        return [col == getattr(self, name) for name, col in columns.items() if getattr(self, name)]


async def find_violations(
    session: AsyncSession, filters: ViolationFilter, limit: int, offset: int
) -> tuple[Sequence[ViolationRow], int]:
    """One page of violations, most recently changed first, and the total matching."""
    clauses = filters.clauses()
    total = await session.scalar(select(func.count()).select_from(ViolationRow).where(*clauses))
    rows = (
        await session.scalars(
            select(ViolationRow)
            .where(*clauses)
            .order_by(ViolationRow.updated_at.desc(), ViolationRow.violation_id)
            .limit(limit)
            .offset(offset)
        )
    ).all()
    return rows, total or 0


async def get_violation(session: AsyncSession, violation_id: str) -> ViolationRow | None:
    """One violation by id."""
    return await session.get(ViolationRow, violation_id)
