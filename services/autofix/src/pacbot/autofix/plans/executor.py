"""Runs due plans in three commits — claim, backup, outcome — with every AWS and peer call between
them, never inside a transaction.

A replica that dies leaves its plan ``running`` with a lease; once the lease runs out any replica
claims it again and settles it from ``phase``: before the backup nothing was changed, so the plan
runs from the start; after the backup the live resource says whether the fix landed, so it is
either recorded as found in place or applied once. Either way the plan finishes exactly once.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pacbot.autofix.fixes import FIXES, AccountAws, ApiCall, Fix, FixTarget, ResourceGone
from pacbot.autofix.models import FixPlan, PolicyPause
from pacbot.autofix.plans import guards, peers, repository
from pacbot.autofix.plans.history import record
from pacbot.autofix.plans.notices import Notices
from pacbot.autofix.plans.peers import AccountDirectory, AccountUnknown, PeerUnavailable
from pacbot.autofix.settings import AutofixSettings
from pacbot.common.events import FixEventType, utcnow
from pacbot.common.runtime import Runtime

log = logging.getLogger("pacbot.autofix.executor")

EVENTS: dict[str, FixEventType] = {
    "applied": "pacbot.fix.applied",
    "dry_run": "pacbot.fix.applied",
    "skipped": "pacbot.fix.skipped",
    "failed": "pacbot.fix.failed",
    "paused": "pacbot.fix.paused",
}
TOLD = frozenset({"applied", "dry_run", "failed"})
"""Outcomes the owner hears about."""


@dataclass(frozen=True)
class Outcome:
    """How a run ended; ``paused`` carries the blast-radius reason that paused the policy."""

    status: str
    detail: str
    backup: dict[str, Any] | None = None
    calls: list[ApiCall] = field(default_factory=list)


@dataclass(frozen=True)
class Ready:
    """A fix that passed every check, with the live configuration it is about to replace."""

    fix: Fix
    target: FixTarget
    aws: AccountAws
    current: dict[str, Any]


def _target(plan: FixPlan) -> FixTarget:
    """The resource a plan acts on, with its policy's autofix parameters."""
    return FixTarget(
        plan.asset_id,
        plan.account_id,
        plan.region,
        plan.resource_type,
        plan.asset_name,
        params=dict(plan.params),
    )


def _calls(calls: list[ApiCall]) -> list[dict[str, Any]]:
    return [call.as_dict() for call in calls]


class FixExecutor:
    """Executes one claimed plan: a fix, or the rollback of an applied one."""

    def __init__(
        self,
        runtime: Runtime,
        settings: AutofixSettings,
        notices: Notices,
        accounts: AccountDirectory,
    ) -> None:
        self.runtime = runtime
        self.settings = settings
        self.notices = notices
        self.accounts = accounts

    async def execute(self, plan_id: str) -> str | None:
        """Claim and run the plan; returns its final status, or None when it was not ours."""
        async with self.runtime.db.session() as session:
            token = await repository.claim(session, plan_id, utcnow(), self.settings.lease_seconds)
        if token is None:
            return None
        async with self.runtime.db.session() as session:
            plan = await repository.held_by(session, plan_id, token)
        if plan is None:
            return None
        try:
            if plan.kind == "rollback":
                outcome = await self._rollback(plan, token)
            else:
                outcome = await self._fix(plan, token)
        except PeerUnavailable as exc:
            await self._release(plan_id, token, f"postponed: {exc}")
            return "waiting"
        if outcome is None:
            return None
        return await self._finish(plan_id, token, outcome)

    async def _fix(self, plan: FixPlan, token: str) -> Outcome | None:
        resumed = plan.phase == "backed_up"
        step = await self._check(plan)
        if isinstance(step, Outcome):
            return step
        if step.fix.is_compliant(step.current, step.target):
            if resumed:
                return Outcome(
                    "applied",
                    "settled after an interrupted run: the fix is in place "
                    f"({step.fix.describe(step.target)})",
                    calls=[],
                )
            return Outcome("skipped", "the resource is already compliant; nothing to change")
        planned = step.fix.calls(step.current, step.target)
        if plan.dry_run:
            return Outcome(
                "dry_run",
                f"dry run: would {step.fix.describe(step.target)} with {len(planned)} call(s)",
                backup=step.current,
                calls=planned,
            )
        total = await self._type_total(plan)  # a peer call: never inside the transaction
        async with self.runtime.db.session() as session:
            pause = await guards.active_pause(session, plan.policy_id)
            if pause is not None:
                return Outcome("paused", f"policy {plan.policy_id} is paused: {pause.reason}")
            reason = await guards.blast_radius(session, self.settings, plan, utcnow(), total)
        if reason is not None:
            return Outcome("paused", f"blast-radius cap: {reason}")
        if not await self._back_up(plan.plan_id, token, step.current, planned):
            return None
        return await self._act(step)

    async def _type_total(self, plan: FixPlan) -> int | None:
        config = self.settings.policy(plan.policy_id)
        if config is None or config.max_percent is None:
            return None
        return await peers.type_total(
            self.runtime.service("inventory"), plan.account_id, plan.resource_type
        )

    async def _check(self, plan: FixPlan) -> Ready | Outcome:
        """Every guard, in order; the first that refuses ends the run with its reason."""
        refusal = guards.allow_list(self.settings, plan.policy_id, plan.account_id)
        if refusal is not None:
            return Outcome("skipped", f"did not act: {refusal}")
        fix = FIXES.get(plan.action)
        if fix is None:
            return Outcome("failed", f"no fix is registered as {plan.action!r}")
        status = await peers.violation_status(self.runtime.service("violations"), plan.violation_id)
        if status != "open":
            return Outcome("skipped", f"did not act: the violation is {status or 'gone'}")
        record_ = await peers.asset(self.runtime.service("inventory"), plan.asset_id)
        if record_ is None or record_.get("deleted"):
            return Outcome("skipped", "did not act: the asset is no longer in the inventory")
        tags = record_.get("tags") or {}
        refusal = guards.exclusion(self.settings, tags) or guards.cutoff(
            self.settings, plan.policy_id, record_.get("config") or {}
        )
        if refusal is not None:
            return Outcome("skipped", f"did not act: {refusal}")
        try:
            access = await self.accounts.access(plan.account_id)
        except AccountUnknown as exc:
            return Outcome("skipped", f"did not act: {exc}")
        target, aws = _target(plan), AccountAws(self.runtime.aws, region=plan.region, access=access)
        try:
            current = await asyncio.to_thread(fix.read, aws, target)
        except ResourceGone as exc:
            return Outcome("skipped", f"did not act: {exc}")
        except Exception as exc:
            return Outcome("failed", f"reading the resource failed: {exc}")
        return Ready(fix, target, aws, current)

    async def _back_up(
        self, plan_id: str, token: str, current: dict[str, Any], planned: list[ApiCall]
    ) -> bool:
        """Commit the backup and the planned calls before anything changes; False: claim lost."""
        async with self.runtime.db.session() as session:
            plan = await repository.held_by(session, plan_id, token)
            if plan is None:
                return False
            if plan.backup is None:
                plan.backup = current
            plan.phase = "backed_up"
            plan.calls = _calls(planned)
            await record(
                session,
                self.runtime.outbox,
                plan,
                "backed_up",
                f"backed up the configuration; about to make {len(planned)} call(s)",
                now=utcnow(),
                event="pacbot.fix.backed_up",
                data={"calls": plan.calls},
            )
        return True

    async def _act(self, ready: Ready) -> Outcome:
        what = ready.fix.describe(ready.target)
        try:
            made = await asyncio.to_thread(ready.fix.apply, ready.aws, ready.target, ready.current)
            verified = await asyncio.to_thread(ready.fix.verify, ready.aws, ready.target)
        except Exception as exc:
            return Outcome("failed", f"{what} failed: {exc}")
        if not verified:
            return Outcome(
                "failed", f"{what}: verification read back a non-compliant resource", calls=made
            )
        return Outcome("applied", f"applied and verified: {what}", calls=made)

    async def _rollback(self, plan: FixPlan, token: str) -> Outcome | None:
        async with self.runtime.db.session() as session:
            original = await repository.get(session, plan.rollback_of or "")
        fix = FIXES.get(plan.action)
        if original is None or original.backup is None or fix is None:
            return Outcome("failed", "nothing to restore: the original plan or its backup is gone")
        if not fix.reversible:
            return Outcome("failed", f"{fix.name} cannot be rolled back")
        try:
            access = await self.accounts.access(plan.account_id)
        except AccountUnknown as exc:
            return Outcome("failed", f"cannot roll back: {exc}")
        target, aws = _target(plan), AccountAws(self.runtime.aws, region=plan.region, access=access)
        backup = original.backup
        try:
            current = await asyncio.to_thread(fix.read, aws, target)
            planned = fix.rollback_calls(backup, current, target)
            if not await self._back_up(plan.plan_id, token, current, planned):
                return None
            made = await asyncio.to_thread(fix.rollback, aws, target, backup)
            after = await asyncio.to_thread(fix.read, aws, target)
            left = fix.rollback_calls(backup, after, target)
        except Exception as exc:
            return Outcome("failed", f"rolling back {original.plan_id} failed: {exc}")
        if left:
            return Outcome(
                "failed",
                f"rolled back {original.plan_id}, but the resource still differs from its backup",
                calls=made,
            )
        return Outcome(
            "applied", f"restored the backup of {original.plan_id} ({fix.name})", calls=made
        )

    async def _release(self, plan_id: str, token: str, detail: str) -> None:
        """Give a claimed plan back (a peer was down); it runs again on a later tick."""
        async with self.runtime.db.session() as session:
            plan = await repository.held_by(session, plan_id, token)
            if plan is None:
                return
            plan.status = "waiting"
            plan.claim_token = None
            plan.lease_until = None
            await record(session, self.runtime.outbox, plan, "retry", detail, now=utcnow())
        log.warning("plan postponed", extra={"plan_id": plan_id, "detail": detail})

    async def _finish(self, plan_id: str, token: str, outcome: Outcome) -> str | None:
        now = utcnow()
        async with self.runtime.db.session() as session:
            plan = await repository.held_by(session, plan_id, token)
            if plan is None:
                return None
            plan.status = outcome.status
            plan.phase = None
            plan.claim_token = None
            plan.lease_until = None
            if outcome.backup is not None and plan.backup is None:
                plan.backup = outcome.backup
            if outcome.calls or outcome.status == "dry_run":
                plan.calls = _calls(outcome.calls)
            if outcome.status == "applied":
                plan.applied_at = now
            data = {"calls": _calls(outcome.calls)}
            if outcome.status == "paused":
                await self._pause(session, plan, outcome.detail, now)
            elif plan.kind == "rollback" and outcome.status == "applied":
                await self._rolled_back(session, plan, outcome.detail, now)
            else:
                await record(
                    session,
                    self.runtime.outbox,
                    plan,
                    outcome.status,
                    outcome.detail,
                    now=now,
                    event=EVENTS[outcome.status],
                    data=data,
                    actor=plan.requested_by,
                )
            if outcome.status in TOLD or plan.kind == "rollback":
                await self.notices.outcome(session, plan)
        log.info(
            "fix plan finished",
            extra={"plan_id": plan_id, "status": outcome.status, "detail": outcome.detail},
        )
        return outcome.status

    async def _pause(self, session: Any, plan: FixPlan, reason: str, now: datetime) -> None:
        """Hold the plan, pause its policy (once) and alert the security address."""
        pause = await guards.active_pause(session, plan.policy_id)
        if pause is None:
            pause = PolicyPause(policy_id=plan.policy_id, reason=reason, paused_at=now)
            session.add(pause)
            await session.flush()
            await self.notices.pause_alert(session, plan, pause)
        await record(
            session,
            self.runtime.outbox,
            plan,
            "paused",
            reason,
            now=now,
            event="pacbot.fix.paused",
        )

    async def _rolled_back(self, session: Any, plan: FixPlan, detail: str, now: datetime) -> None:
        """Record the rollback on itself and on the plan it undid."""
        await record(
            session,
            self.runtime.outbox,
            plan,
            "applied",
            detail,
            now=now,
            event="pacbot.fix.applied",
            actor=plan.requested_by,
        )
        original = await repository.get(session, plan.rollback_of or "")
        if original is not None:
            original.status = "rolled_back"
            await record(
                session,
                self.runtime.outbox,
                original,
                "rolled_back",
                f"rolled back by {plan.requested_by or 'autofix'} through {plan.plan_id}",
                now=now,
                event="pacbot.fix.rolled_back",
                actor=plan.requested_by,
            )
