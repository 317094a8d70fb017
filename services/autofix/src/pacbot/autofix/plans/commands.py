"""What people do to plans: fix now, roll back, cancel, postpone, resume a paused policy.

Each command reads its peers first, then changes the plan in one transaction; the timer does
the AWS work, so a request never waits on AWS and every run goes through the same guards.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from pacbot.autofix.fixes import FIXES
from pacbot.autofix.models import FixPlan, PolicyPause
from pacbot.autofix.plans import guards, peers, repository
from pacbot.autofix.plans.history import record
from pacbot.autofix.plans.notices import PENDING, Notices
from pacbot.autofix.plans.planner import NotFixable, Planner
from pacbot.autofix.plans.schemas import FixNow, Postpone
from pacbot.common.events import AssetSummary, AutofixSpec, PolicyRef, utcnow
from pacbot.common.runtime import Runtime
from pacbot.common.web import Conflict, NotFound


def _policy_ref(body: dict[str, Any]) -> PolicyRef:
    """The assessor's policy document as the events carry it."""
    autofix = body.get("autofix")
    return PolicyRef(
        policy_id=str(body.get("id") or body.get("policy_id")),
        policy_version=int(body.get("version") or 1),
        name=str(body.get("name") or ""),
        severity=body.get("severity", "medium"),
        category=body.get("category", "security"),
        autofix=AutofixSpec.model_validate(autofix) if autofix else None,
    )


def _asset(violation: dict[str, Any]) -> AssetSummary:
    return AssetSummary(
        asset_id=violation["asset_id"],
        account_id=violation["account_id"],
        region=violation["region"],
        resource_type=violation["resource_type"],
        name=violation["asset_name"],
        tags=violation.get("tags") or {},
        owner=violation.get("owner"),
    )


class Commands:
    """The write side of the AutoFix API."""

    def __init__(self, runtime: Runtime, planner: Planner, notices: Notices) -> None:
        self.runtime = runtime
        self.planner = planner
        self.notices = notices

    async def fix_now(self, body: FixNow, actor: str) -> FixPlan:
        """Plan a fix of an open violation due now; an existing pending plan is brought forward."""
        violation = await peers.violation(self.runtime.service("violations"), body.violation_id)
        if violation is None:
            raise NotFound(f"violation {body.violation_id} not found", field="violation_id")
        if violation.get("status") != "open":
            raise Conflict(
                f"violation {body.violation_id} is {violation.get('status')}; only an open "
                "violation can be fixed",
                field="violation_id",
            )
        policy_id = violation["policy_id"]
        document = await peers.policy(self.runtime.service("assessor"), policy_id)
        if document is None or not document.get("autofix"):
            raise Conflict(f"policy {policy_id} declares no autofix action", field="violation_id")
        now = utcnow()
        async with self.runtime.db.session() as session:
            live = await repository.live_for(session, body.violation_id)
            if live:
                return await self._bring_forward(session, live[0], actor, now)
            try:
                return await self.planner.plan(
                    session,
                    _asset(violation),
                    _policy_ref(document),
                    body.violation_id,
                    int(violation.get("episode") or 1),
                    now,
                    requested_by=actor,
                    dry_run=body.dry_run,
                )
            except NotFixable as exc:
                raise Conflict(str(exc), field="violation_id") from exc

    async def _bring_forward(self, session: Any, plan: FixPlan, actor: str, now: Any) -> FixPlan:
        if plan.status not in ("notifying", "waiting", "held"):
            raise Conflict(
                f"plan {plan.plan_id} of this violation is {plan.status}", field="violation_id"
            )
        plan.status = "waiting"
        plan.due_at = now
        plan.immediate = True
        plan.trigger = "manual"
        plan.requested_by = actor
        plan.next_reminder_at = None
        await record(
            session,
            self.runtime.outbox,
            plan,
            "postponed",
            f"fix now requested by {actor}: due at once, still re-checked and guarded",
            now=now,
            event="pacbot.fix.postponed",
            actor=actor,
        )
        return plan

    async def rollback(self, plan_id: str, reason: str, actor: str) -> FixPlan:
        """Plan the restoration of an applied fix's backup (a plan of kind ``rollback``)."""
        now = utcnow()
        async with self.runtime.db.session() as session:
            original = await repository.get(session, plan_id)
            if original is None:
                raise NotFound(f"plan {plan_id} not found", field="plan_id")
            fix = FIXES.get(original.action)
            if original.kind != "fix" or original.status != "applied":
                raise Conflict(
                    f"plan {plan_id} is a {original.kind} in status {original.status}; only an "
                    "applied fix can be rolled back",
                    field="plan_id",
                )
            if original.backup is None or fix is None or not fix.reversible:
                raise Conflict(f"the fix {original.action} of {plan_id} is not reversible")
            plan = FixPlan(
                plan_id=f"fp-{uuid.uuid4().hex[:20]}",
                kind="rollback",
                rollback_of=original.plan_id,
                trigger="manual",
                requested_by=actor,
                **{
                    name: getattr(original, name)
                    for name in (
                        "violation_id",
                        "episode",
                        "asset_id",
                        "asset_name",
                        "resource_type",
                        "account_id",
                        "region",
                        "owner",
                        "tags",
                        "policy_id",
                        "action",
                        "params",
                    )
                },
                status="waiting",
                immediate=True,
                grace_seconds=0.0,
                due_at=now,
                dry_run=False,
                reminders_sent=0,
                attempts=0,
                detail="",
                created_at=now,
                updated_at=now,
            )
            session.add(plan)
            await record(
                session,
                self.runtime.outbox,
                plan,
                "planned",
                f"rollback of {plan_id} requested by {actor}: {reason}",
                now=now,
                event="pacbot.fix.planned",
                actor=actor,
            )
            return plan

    async def cancel(self, plan_id: str, reason: str, actor: str) -> FixPlan:
        """Cancel a plan that has not acted yet."""
        async with self.runtime.db.session() as session:
            plan = await self._pending(session, plan_id, "cancelled")
            plan.status = "cancelled"
            await record(
                session,
                self.runtime.outbox,
                plan,
                "cancelled",
                f"cancelled by {actor}: {reason}",
                now=utcnow(),
                event="pacbot.fix.cancelled",
                actor=actor,
            )
            return plan

    async def postpone(self, plan_id: str, body: Postpone, actor: str) -> FixPlan:
        """Move a pending plan's due time (a held or paused plan waits again until then)."""
        now = utcnow()
        async with self.runtime.db.session() as session:
            plan = await self._pending(session, plan_id, "postponed")
            if plan.status == "notifying":
                raise Conflict(
                    f"plan {plan_id} is still waiting for its notice to be delivered, so its "
                    "grace period has not started; cancel it instead",
                    field="plan_id",
                )
            until = body.until or now + timedelta(seconds=body.seconds or 0)
            if until <= now:
                raise Conflict("`until` is in the past", field="until")
            plan.status = "waiting"
            plan.due_at = until
            self.notices.schedule_reminder(plan, now)
            await record(
                session,
                self.runtime.outbox,
                plan,
                "postponed",
                f"postponed by {actor} to {until.isoformat()}: {body.reason}",
                now=now,
                event="pacbot.fix.postponed",
                actor=actor,
            )
            return plan

    async def _pending(self, session: Any, plan_id: str, verb: str) -> FixPlan:
        plan = await repository.get(session, plan_id)
        if plan is None:
            raise NotFound(f"plan {plan_id} not found", field="plan_id")
        if plan.status not in PENDING:
            raise Conflict(
                f"plan {plan_id} is {plan.status}; only a plan that has not acted yet can be "
                f"{verb}",
                field="plan_id",
            )
        return plan

    async def resume(self, policy_id: str, actor: str) -> PolicyPause:
        """End a policy's pause; the plans it held run on the next tick (guards still apply)."""
        now = utcnow()
        async with self.runtime.db.session() as session:
            pause = await guards.active_pause(session, policy_id)
            if pause is None:
                raise NotFound(f"policy {policy_id} is not paused", field="policy_id")
            pause.resumed_at = now
            pause.resumed_by = actor
            for plan in await repository.plans_of_policy(session, policy_id, "paused"):
                plan.status = "waiting"
                plan.due_at = now
                await record(
                    session,
                    self.runtime.outbox,
                    plan,
                    "resumed",
                    f"policy {policy_id} resumed by {actor}",
                    now=now,
                    event="pacbot.fix.resumed",
                    actor=actor,
                )
            return pause
