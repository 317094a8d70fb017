"""Queries over the fix_plans table, and the conditional updates that make a claim exclusive."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.autofix.models import FixPlan

LIVE = ("notifying", "waiting", "held", "paused", "running")
"""A plan in one of these has not finished; a violation has at most one live fix plan."""


async def get(session: AsyncSession, plan_id: str) -> FixPlan | None:
    """The plan with this id, if any."""
    return await session.get(FixPlan, plan_id)


async def find(
    session: AsyncSession,
    *,
    status: str | None = None,
    violation_id: str | None = None,
    policy_id: str | None = None,
    account_id: str | None = None,
    kind: str | None = None,
    limit: int,
    offset: int,
) -> Sequence[FixPlan]:
    """Plans, newest first, by any of the filters."""
    query = select(FixPlan)
    for column, value in (
        (FixPlan.status, status),
        (FixPlan.violation_id, violation_id),
        (FixPlan.policy_id, policy_id),
        (FixPlan.account_id, account_id),
        (FixPlan.kind, kind),
    ):
        if value is not None:
            query = query.where(column == value)
    query = query.order_by(FixPlan.created_at.desc(), FixPlan.plan_id)
    return (await session.scalars(query.limit(limit).offset(offset))).all()


async def live_for(
    session: AsyncSession, violation_id: str, *, include_running: bool = True
) -> Sequence[FixPlan]:
    """Fix plans of this violation that have not finished."""
    statuses = LIVE if include_running else tuple(s for s in LIVE if s != "running")
    query = select(FixPlan).where(
        FixPlan.violation_id == violation_id,
        FixPlan.kind == "fix",
        FixPlan.status.in_(statuses),
    )
    return (await session.scalars(query.order_by(FixPlan.created_at))).all()


async def due_plan_ids(session: AsyncSession, now: datetime, *, limit: int = 50) -> list[str]:
    """Waiting plans (fixes and rollbacks) whose time has come, oldest first."""
    query = (
        select(FixPlan.plan_id)
        .where(FixPlan.status == "waiting", FixPlan.due_at <= now)
        .order_by(FixPlan.due_at)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def stale_plan_ids(session: AsyncSession, now: datetime, *, limit: int = 50) -> list[str]:
    """Running plans whose replica's lease ran out: it died, and the plan must be settled."""
    query = (
        select(FixPlan.plan_id)
        .where(FixPlan.status == "running", FixPlan.lease_until < now)
        .order_by(FixPlan.lease_until)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def reminder_plan_ids(session: AsyncSession, now: datetime, *, limit: int = 50) -> list[str]:
    """Waiting plans owed a reminder now."""
    query = (
        select(FixPlan.plan_id)
        .where(FixPlan.status == "waiting", FixPlan.next_reminder_at <= now)
        .order_by(FixPlan.next_reminder_at)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def claim(
    session: AsyncSession, plan_id: str, now: datetime, lease_seconds: float
) -> str | None:
    """Take a due plan, or a running one whose lease expired; None when another replica has it.

    One conditional UPDATE, so on PostgreSQL and SQLite alike exactly one caller wins.
    """
    token = uuid.uuid4().hex
    due = and_(FixPlan.status == "waiting", FixPlan.due_at <= now)
    stale = and_(FixPlan.status == "running", FixPlan.lease_until < now)
    result = await session.execute(
        update(FixPlan)
        .where(FixPlan.plan_id == plan_id, or_(due, stale))
        .values(
            status="running",
            claim_token=token,
            lease_until=now + timedelta(seconds=lease_seconds),
            attempts=FixPlan.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return token if getattr(result, "rowcount", 0) == 1 else None


async def held_by(session: AsyncSession, plan_id: str, token: str) -> FixPlan | None:
    """The plan, locked, if this replica's claim on it still stands."""
    query = select(FixPlan).where(
        FixPlan.plan_id == plan_id, FixPlan.status == "running", FixPlan.claim_token == token
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return (await session.scalars(query)).first()


async def plans_of_policy(session: AsyncSession, policy_id: str, status: str) -> Sequence[FixPlan]:
    """A policy's plans in one status (e.g. those a pause held)."""
    query = select(FixPlan).where(FixPlan.policy_id == policy_id, FixPlan.status == status)
    return (await session.scalars(query)).all()
