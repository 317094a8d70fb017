"""Emits a plan's step as a ``FixChanged`` event through the outbox, in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.autofix.models import FixPlan
from pacbot.common.events import AUTOFIX_TOPIC, Envelope, FixChanged, FixEventType
from pacbot.common.outbox import Outbox


async def announce(
    session: AsyncSession,
    outbox: Outbox,
    plan: FixPlan,
    event_type: FixEventType,
    *,
    detail: str,
    now: datetime,
) -> None:
    """Stage the event, keyed by plan id so one plan's steps stay ordered."""
    event = FixChanged(
        event_type=event_type,
        plan_id=plan.plan_id,
        violation_id=plan.violation_id,
        asset_id=plan.asset_id,
        policy_id=plan.policy_id,
        action=plan.action,
        dry_run=plan.dry_run,
        detail=detail,
        occurred_at=now,
    )
    envelope = Envelope.wrap(event, source=outbox.source, subject=plan.plan_id)
    await outbox.add(session, AUTOFIX_TOPIC, envelope, key=plan.plan_id)
