"""Turns violation events into fix plans: plan and notify on open, cancel on exempt or close."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.autofix.fixes import FIXES, FixTarget
from pacbot.autofix.models import FixPlan
from pacbot.autofix.plans import repository
from pacbot.autofix.plans.announce import announce
from pacbot.autofix.plans.notify import OwnerNotifier
from pacbot.autofix.settings import AutofixSettings
from pacbot.common.events import Envelope, ViolationChanged, utcnow
from pacbot.common.outbox import Outbox

log = logging.getLogger("pacbot.autofix.planner")


class Planner:
    """The consumer of ``pacbot.violations.v1``; each call runs in the event's transaction."""

    def __init__(self, settings: AutofixSettings, outbox: Outbox, notifier: OwnerNotifier) -> None:
        self.settings = settings
        self.outbox = outbox
        self.notifier = notifier

    async def handle(self, session: AsyncSession, envelope: Envelope) -> None:
        """Route one violation event."""
        violation = envelope.payload()
        if not isinstance(violation, ViolationChanged):
            return
        if violation.event_type in ("pacbot.violation.opened", "pacbot.violation.reopened"):
            await self.plan(session, violation, utcnow())
        else:
            await self.cancel(session, violation, utcnow())

    async def plan(
        self, session: AsyncSession, violation: ViolationChanged, now: datetime
    ) -> FixPlan | None:
        """Create a waiting plan and notify the owner, when policy, fix and account allow it."""
        spec = violation.policy.autofix
        context = {"violation_id": violation.violation_id, "account_id": violation.asset.account_id}
        if spec is None:
            return None
        fix = FIXES.get(spec.action)
        if fix is None or fix.resource_type != violation.asset.resource_type:
            log.warning(
                "no registered fix for this action", extra={**context, "action": spec.action}
            )
            return None
        if not self.settings.account_allowed(violation.asset.account_id):
            log.info("account not on the autofix allow-list; no plan", extra=context)
            return None
        if await repository.waiting_for(session, violation.violation_id):
            return None
        grace = self.settings.grace_override_seconds
        grace = spec.grace_seconds if grace is None else grace
        asset = violation.asset
        target = FixTarget(
            asset.asset_id, asset.account_id, asset.region, asset.resource_type, asset.name
        )
        plan = FixPlan(
            plan_id=f"fp-{uuid.uuid4().hex[:20]}",
            violation_id=violation.violation_id,
            episode=violation.episode,
            asset_id=asset.asset_id,
            asset_name=asset.name,
            resource_type=asset.resource_type,
            account_id=asset.account_id,
            region=asset.region,
            owner=asset.owner,
            policy_id=violation.policy.policy_id,
            action=spec.action,
            params=dict(spec.params),
            status="waiting",
            due_at=now + timedelta(seconds=grace),
            dry_run=self.settings.dry_run,
            detail=f"planned: {fix.describe(target)} after {grace:g}s grace",
            created_at=now,
            updated_at=now,
        )
        session.add(plan)
        await announce(
            session, self.outbox, plan, "pacbot.fix.planned", detail=plan.detail, now=now
        )
        await self.notify(session, plan, now)
        return plan

    async def notify(self, session: AsyncSession, plan: FixPlan, now: datetime) -> bool:
        """Notify the plan's owner once; record when, and announce it."""
        if not await self.notifier.notify(plan):
            return False
        plan.notified_at = now
        plan.updated_at = now
        detail = f"owner {plan.owner or '(unknown)'} notified; fix due at {plan.due_at.isoformat()}"
        await announce(session, self.outbox, plan, "pacbot.fix.notified", detail=detail, now=now)
        return True

    async def cancel(
        self, session: AsyncSession, violation: ViolationChanged, now: datetime
    ) -> int:
        """Cancel waiting plans of a violation that was exempted or closed."""
        plans = await repository.waiting_for(session, violation.violation_id)
        detail = f"cancelled: violation {violation.status} ({violation.event_type})"
        for plan in plans:
            plan.status = "cancelled"
            plan.detail = detail
            plan.updated_at = now
            await announce(session, self.outbox, plan, "pacbot.fix.skipped", detail=detail, now=now)
        return len(plans)
