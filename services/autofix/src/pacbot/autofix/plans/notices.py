"""Who is told what about a plan, and what a delivered (or undelivered) notification changes.

Notifications are queued in the plan's transaction and delivered by the dispatcher; a plan learns
the outcome through ``settled``. Only a delivered notice starts the grace period, and only a
delivered notice is announced as ``pacbot.fix.notified``.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.autofix.fixes import FIXES
from pacbot.autofix.models import FixPlan, PolicyPause
from pacbot.autofix.plans.history import record
from pacbot.autofix.settings import AutofixSettings
from pacbot.common.events import utcnow
from pacbot.common.notify import Notifier, Settled, owner_from_tags
from pacbot.common.outbox import Outbox

log = logging.getLogger("pacbot.autofix.notices")

PENDING = ("notifying", "waiting", "held", "paused")
"""Statuses of a plan that has not acted yet."""


def duration(seconds: float) -> str:
    """A grace period as people say it: "24 hours", "30 minutes", "2 days", "5 seconds"."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds / size
            shown = f"{count:g}" if count == int(count) else f"{count:.1f}"
            return f"{shown} {unit}{'' if shown == '1' else 's'}"
    return f"{seconds:g} second{'' if seconds == 1 else 's'}"


class Notices:
    """Queues a plan's notifications and applies their outcomes to it."""

    def __init__(self, settings: AutofixSettings, notifier: Notifier, outbox: Outbox) -> None:
        self.settings = settings
        self.notifier = notifier
        self.outbox = outbox

    def owner_of(self, plan: FixPlan) -> str | None:
        """The owner from the configured tag keys, else the one inventory resolved."""
        return owner_from_tags(plan.tags or {}, self.settings.owner_tag_keys) or plan.owner

    def context(self, plan: FixPlan, **extra: Any) -> dict[str, Any]:
        """What every template may use."""
        fix = FIXES.get(plan.action)
        return {
            "plan_id": plan.plan_id,
            "kind": plan.kind,
            "violation_id": plan.violation_id,
            "asset_id": plan.asset_id,
            "asset_name": plan.asset_name,
            "resource_type": plan.resource_type,
            "account_id": plan.account_id,
            "region": plan.region,
            "owner": self.owner_of(plan),
            "policy_id": plan.policy_id,
            "action": plan.action,
            "fix": fix.description if fix is not None else plan.action,
            "reversible": fix.reversible if fix is not None else False,
            "status": plan.status,
            "detail": plan.detail,
            "due_at": plan.due_at.isoformat(),
            "grace_seconds": plan.grace_seconds,
            "grace": duration(plan.grace_seconds),
            "dry_run": plan.dry_run,
            "immediate": plan.immediate,
            "exclusion_tag": self.settings.exclusion_tag,
            **extra,
        }

    async def _send(
        self, session: AsyncSession, plan: FixPlan, kind: str, recipient: str | None, key: str
    ) -> str | None:
        return await self.notifier.enqueue(
            session,
            kind=kind,
            subject_ref=plan.plan_id,
            recipient=recipient,
            template=f"fix-{kind}",
            context=self.context(plan),
            dedupe_key=key,
        )

    async def notice(self, session: AsyncSession, plan: FixPlan) -> None:
        """Tell the owner a fix is coming (delivery is reported back through ``settled``)."""
        await self._send(session, plan, "notice", self.owner_of(plan), f"notice:{plan.plan_id}")

    async def reminder(self, session: AsyncSession, plan: FixPlan, now: datetime) -> None:
        """Remind the owner, and schedule the next reminder while the grace period lasts."""
        plan.reminders_sent += 1
        key = f"reminder:{plan.plan_id}:{plan.reminders_sent}"
        await self._send(session, plan, "reminder", self.owner_of(plan), key)
        self.schedule_reminder(plan, now)

    def schedule_reminder(self, plan: FixPlan, since: datetime) -> None:
        """The next reminder's time, or None when none is owed before the fix is due."""
        plan.next_reminder_at = None
        if plan.reminders_sent >= self.settings.reminders or plan.immediate:
            return
        at = since + timedelta(seconds=self.settings.reminder_interval_seconds)
        if at < plan.due_at:
            plan.next_reminder_at = at

    async def outcome(self, session: AsyncSession, plan: FixPlan) -> None:
        """Tell the owner how the plan ended (applied, failed, rolled back...)."""
        key = f"outcome:{plan.plan_id}:{plan.status}"
        await self._send(session, plan, "outcome", self.owner_of(plan), key)

    async def pause_alert(self, session: AsyncSession, plan: FixPlan, pause: PolicyPause) -> None:
        """Alert the security address that a blast-radius cap paused a policy."""
        address = self.settings.security_address or self.settings.default_fallback_address
        await self.notifier.enqueue(
            session,
            kind="paused",
            subject_ref=plan.plan_id,
            recipient=address,
            template="fix-paused",
            context=self.context(plan, pause_reason=pause.reason),
            dedupe_key=f"paused:{pause.policy_id}:{pause.id}",
        )

    async def settled(self, session: AsyncSession, settled: Settled) -> None:
        """The dispatcher's hook: apply a notification's outcome to its plan (same transaction)."""
        plan = await session.get(FixPlan, settled.subject_ref, with_for_update=True)
        if plan is None:
            return
        at = settled.delivered_at or utcnow()
        who = settled.recipient or "(nobody)"
        if settled.kind in ("notice", "escalation"):
            await self._noticed(session, plan, settled)
        elif settled.kind == "reminder" and settled.status == "delivered":
            await record(
                session,
                self.outbox,
                plan,
                "reminded",
                f"{who} reminded ({settled.detail})",
                now=at,
                event="pacbot.fix.reminded",
                decision=False,
            )
        else:
            outcome = "delivered" if settled.status == "delivered" else "not delivered"
            await record(
                session,
                self.outbox,
                plan,
                f"{settled.kind}_{settled.status}",
                f"{settled.kind} notification to {who} {outcome}: {settled.detail}",
                now=at,
                decision=False,
            )

    async def _noticed(self, session: AsyncSession, plan: FixPlan, settled: Settled) -> None:
        who = settled.recipient or "(nobody)"
        if settled.status == "delivered":
            assert settled.delivered_at is not None
            await self._delivered(session, plan, settled.delivered_at, who, settled.kind)
            return
        now = utcnow()
        await record(
            session,
            self.outbox,
            plan,
            "not_notified",
            f"{who} could not be notified ({settled.kind}): {settled.detail}",
            now=now,
            event="pacbot.fix.not_notified",
        )
        if plan.status != "notifying":
            return
        fallback = self.settings.fallback_for(plan.account_id)
        if settled.kind == "notice" and fallback and fallback != settled.recipient:
            await self.notifier.enqueue(
                session,
                kind="escalation",
                subject_ref=plan.plan_id,
                recipient=fallback,
                template="fix-escalation",
                context=self.context(plan, unreachable_owner=settled.recipient),
                dedupe_key=f"escalation:{plan.plan_id}",
            )
            await record(
                session,
                self.outbox,
                plan,
                "escalated",
                f"escalated to account {plan.account_id}'s fallback address {fallback}",
                now=now,
                event="pacbot.fix.escalated",
            )
            return
        plan.status = "held"
        await record(
            session,
            self.outbox,
            plan,
            "held",
            "held: nobody could be notified, so the fix waits for a person "
            "(postpone or cancel it, or mark the policy immediate)",
            now=now,
            event="pacbot.fix.held",
        )

    async def _delivered(
        self, session: AsyncSession, plan: FixPlan, at: datetime, who: str, kind: str
    ) -> None:
        if plan.notified_at is None:
            plan.notified_at = at
        starts_grace = plan.status in ("notifying", "held")
        if starts_grace:
            plan.status = "waiting"
            plan.due_at = at + timedelta(seconds=plan.grace_seconds)
            self.schedule_reminder(plan, at)
        role = "owner" if kind == "notice" else "account fallback address"
        await record(
            session,
            self.outbox,
            plan,
            "notified",
            f"{role} {who} notified; fix due at {plan.due_at.isoformat()}",
            now=at,
            event="pacbot.fix.notified",
            decision=starts_grace,
        )

    async def digest(
        self, session: AsyncSession, since: datetime
    ) -> dict[str, list[dict[str, Any]]]:
        """Per owner: plans still pending, and plans that ended since ``since``."""
        query = select(FixPlan).where(or_(FixPlan.status.in_(PENDING), FixPlan.updated_at >= since))
        by_owner: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for plan in (await session.scalars(query.order_by(FixPlan.due_at))).all():
            owner = self.owner_of(plan)
            if owner:
                by_owner[owner].append(self.context(plan))
        return dict(by_owner)
