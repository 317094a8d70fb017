"""Queries over the fix_plans table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.autofix.models import FixPlan


async def get(session: AsyncSession, plan_id: str) -> FixPlan | None:
    """The plan with this id, if any."""
    return await session.get(FixPlan, plan_id)


async def find(
    session: AsyncSession, *, status: str | None, violation_id: str | None, limit: int, offset: int
) -> Sequence[FixPlan]:
    """Plans, newest first, by status and/or violation."""
    query = select(FixPlan)
    if status is not None:
        query = query.where(FixPlan.status == status)
    if violation_id is not None:
        query = query.where(FixPlan.violation_id == violation_id)
    query = query.order_by(FixPlan.created_at.desc(), FixPlan.plan_id)
    return (await session.scalars(query.limit(limit).offset(offset))).all()


async def waiting_for(session: AsyncSession, violation_id: str) -> Sequence[FixPlan]:
    """Plans of this violation whose timer has not fired yet."""
    query = select(FixPlan).where(FixPlan.violation_id == violation_id, FixPlan.status == "waiting")
    return (await session.scalars(query)).all()


async def due_plan_ids(session: AsyncSession, now: datetime, *, limit: int = 50) -> list[str]:
    """Ids of waiting plans whose grace period is over, oldest first."""
    query = (
        select(FixPlan.plan_id)
        .where(FixPlan.status == "waiting", FixPlan.due_at <= now)
        .order_by(FixPlan.due_at)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def unnotified_plan_ids(session: AsyncSession, *, limit: int = 50) -> list[str]:
    """Ids of waiting plans whose owner notification has not gone out yet."""
    query = (
        select(FixPlan.plan_id)
        .where(FixPlan.status == "waiting", FixPlan.notified_at.is_(None))
        .order_by(FixPlan.created_at)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def lock_waiting(session: AsyncSession, plan_id: str) -> FixPlan | None:
    """The plan if still waiting, locked for this transaction (replicas skip it on PostgreSQL)."""
    query = select(FixPlan).where(FixPlan.plan_id == plan_id, FixPlan.status == "waiting")
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return (await session.scalars(query)).first()
