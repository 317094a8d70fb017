"""A plan's history: every step is a row of ``fix_plan_steps`` and, when it matters to others, a
``FixChanged`` event on ``pacbot.autofix.v1`` — both in the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.autofix.models import FixPlan, PlanStep
from pacbot.common.events import AUTOFIX_TOPIC, Envelope, FixChanged, FixEventType
from pacbot.common.outbox import Outbox


async def record(
    session: AsyncSession,
    outbox: Outbox,
    plan: FixPlan,
    step: str,
    detail: str,
    *,
    now: datetime,
    event: FixEventType | None = None,
    data: Mapping[str, Any] | None = None,
    actor: str | None = None,
    decision: bool = True,
) -> None:
    """Add a history entry and, when ``event`` is given, stage the event keyed by plan id.

    A ``decision`` also becomes the plan's ``detail`` (its latest word); a side note — how a
    reminder or an outcome message was delivered — only joins the history.
    """
    if decision:
        plan.detail = detail
    plan.updated_at = now
    session.add(
        PlanStep(plan_id=plan.plan_id, at=now, step=step, detail=detail, data=dict(data or {}))
    )
    if event is None:
        return
    changed = FixChanged(
        event_type=event,
        plan_id=plan.plan_id,
        violation_id=plan.violation_id,
        asset_id=plan.asset_id,
        policy_id=plan.policy_id,
        action=plan.action,
        dry_run=plan.dry_run,
        detail=detail,
        occurred_at=now,
        kind="rollback" if plan.kind == "rollback" else "fix",
        status=plan.status,
        account_id=plan.account_id,
        actor=actor,
        rollback_of=plan.rollback_of,
    )
    envelope = Envelope.wrap(changed, source=outbox.source, subject=plan.plan_id)
    await outbox.add(session, AUTOFIX_TOPIC, envelope, key=plan.plan_id)


async def steps_of(session: AsyncSession, plan_id: str) -> Sequence[PlanStep]:
    """A plan's history, oldest first."""
    query = select(PlanStep).where(PlanStep.plan_id == plan_id).order_by(PlanStep.id)
    return (await session.scalars(query)).all()
