"""Turns violation events and "fix now" requests into plans; cancels plans whose violation closed.

A plan is created in the consumer's (or the request's) transaction together with its first
notification, so nothing is sent unless the plan exists, and no network call happens here.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.autofix.fixes import FIXES, FixTarget
from pacbot.autofix.models import FixPlan
from pacbot.autofix.plans import guards, repository
from pacbot.autofix.plans.history import record
from pacbot.autofix.plans.notices import Notices
from pacbot.autofix.settings import AutofixSettings
from pacbot.common.events import AssetSummary, Envelope, PolicyRef, ViolationChanged, utcnow
from pacbot.common.outbox import Outbox

log = logging.getLogger("pacbot.autofix.planner")


class NotFixable(Exception):
    """A violation that no fix can answer (no autofix block, or no such fix registered)."""


class Planner:
    """The consumer of ``pacbot.violations.v1``; each call runs in the event's transaction."""

    def __init__(self, settings: AutofixSettings, outbox: Outbox, notices: Notices) -> None:
        self.settings = settings
        self.outbox = outbox
        self.notices = notices

    async def handle(self, session: AsyncSession, envelope: Envelope) -> None:
        """Route one violation event."""
        violation = envelope.payload()
        if not isinstance(violation, ViolationChanged):
            return
        if violation.event_type in ("pacbot.violation.opened", "pacbot.violation.reopened"):
            if (
                violation.policy.autofix is None
                or self.settings.policy(violation.policy.policy_id) is None
            ):
                return
            try:
                await self.plan(
                    session,
                    violation.asset,
                    violation.policy,
                    violation.violation_id,
                    violation.episode,
                    utcnow(),
                )
            except NotFixable as exc:
                log.warning(str(exc), extra={"violation_id": violation.violation_id})
        else:
            await self.cancel(
                session,
                violation.violation_id,
                f"cancelled: violation {violation.status} ({violation.event_type})",
                utcnow(),
            )

    async def plan(
        self,
        session: AsyncSession,
        asset: AssetSummary,
        policy: PolicyRef,
        violation_id: str,
        episode: int,
        now: datetime,
        *,
        requested_by: str | None = None,
        dry_run: bool = False,
    ) -> FixPlan:
        """Create a plan and queue the owner's notice; a refused one is recorded as skipped.

        ``requested_by`` makes it a "fix now": no grace period, still re-checked and guarded.
        """
        spec = policy.autofix
        if spec is None:
            raise NotFixable(f"policy {policy.policy_id} declares no autofix action")
        fix = FIXES.get(spec.action)
        if fix is None or fix.resource_type != asset.resource_type:
            raise NotFixable(
                f"no registered fix {spec.action!r} for {asset.resource_type} "
                f"(policy {policy.policy_id})"
            )
        live = await repository.live_for(session, violation_id)
        if live:
            return live[0]
        config = self.settings.policy(policy.policy_id)
        immediate = requested_by is not None or (config is not None and config.immediate)
        grace = 0.0 if immediate else self.settings.grace_for(policy.policy_id, spec.grace_seconds)
        target = FixTarget(
            asset.asset_id, asset.account_id, asset.region, asset.resource_type, asset.name
        )
        plan = FixPlan(
            plan_id=f"fp-{uuid.uuid4().hex[:20]}",
            kind="fix",
            trigger="event" if requested_by is None else "manual",
            requested_by=requested_by,
            violation_id=violation_id,
            episode=episode,
            asset_id=asset.asset_id,
            asset_name=asset.name,
            resource_type=asset.resource_type,
            account_id=asset.account_id,
            region=asset.region,
            owner=asset.owner,
            tags=dict(asset.tags),
            policy_id=policy.policy_id,
            action=spec.action,
            params=dict(spec.params),
            status="waiting" if immediate else "notifying",
            immediate=immediate,
            grace_seconds=grace,
            # provisional until the notice is delivered (then delivered + grace): the notice
            # tells the owner this time, so it must not be the moment the plan was made
            due_at=now + timedelta(seconds=grace),
            dry_run=dry_run or self.settings.dry_run_for(policy.policy_id),
            reminders_sent=0,
            attempts=0,
            created_at=now,
            updated_at=now,
            detail="",
        )
        session.add(plan)
        refusal = guards.allow_list(self.settings, policy.policy_id, asset.account_id)
        refusal = refusal or guards.exclusion(self.settings, asset.tags)
        if refusal is not None:
            plan.status = "skipped"
            await record(
                session,
                self.outbox,
                plan,
                "skipped",
                f"did not plan: {refusal}",
                now=now,
                event="pacbot.fix.skipped",
                actor=requested_by,
            )
            return plan
        when = "now" if immediate else f"{grace:g}s after the owner is notified"
        who = f" (asked by {requested_by})" if requested_by else ""
        await record(
            session,
            self.outbox,
            plan,
            "planned",
            f"planned{who}: {fix.describe(target)}, {when}",
            now=now,
            event="pacbot.fix.planned",
            actor=requested_by,
        )
        await self.notices.notice(session, plan)
        return plan

    async def cancel(
        self,
        session: AsyncSession,
        violation_id: str,
        detail: str,
        now: datetime,
        *,
        actor: str | None = None,
    ) -> int:
        """Cancel the plans of a violation that have not acted yet."""
        plans = await repository.live_for(session, violation_id, include_running=False)
        for plan in plans:
            plan.status = "cancelled"
            await record(
                session,
                self.outbox,
                plan,
                "cancelled",
                detail,
                now=now,
                event="pacbot.fix.cancelled",
                actor=actor,
            )
        return len(plans)
