"""Runs due plans: re-check the violation and the resource, back up, apply, verify, record."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.autofix.accounts import account_access
from pacbot.autofix.fixes import FIXES, AccountAws, Fix, FixTarget, ResourceGone
from pacbot.autofix.models import FixPlan
from pacbot.autofix.plans import repository
from pacbot.autofix.plans.announce import announce
from pacbot.autofix.plans.violations import violation_status
from pacbot.autofix.settings import AutofixSettings
from pacbot.common.events import FixEventType, utcnow
from pacbot.common.runtime import Runtime

log = logging.getLogger("pacbot.autofix.executor")

EVENT_FOR_STATUS: dict[str, FixEventType] = {
    "applied": "pacbot.fix.applied",
    "dry_run": "pacbot.fix.applied",
    "skipped": "pacbot.fix.skipped",
    "failed": "pacbot.fix.failed",
}


@dataclass(frozen=True)
class Outcome:
    """How a plan ended."""

    status: str
    detail: str
    backup: dict[str, Any] | None = None


@dataclass(frozen=True)
class ReadyFix:
    """A plan that passed every check and holds the configuration it is about to replace."""

    fix: Fix
    target: FixTarget
    aws: AccountAws
    current: dict[str, Any]


class FixExecutor:
    """Executes one due plan in two commits: the backup first, then the outcome."""

    def __init__(self, runtime: Runtime, settings: AutofixSettings) -> None:
        self.runtime = runtime
        self.settings = settings

    async def execute(self, plan_id: str) -> str | None:
        """Run the plan if it is still waiting; returns its final status."""
        async with self.runtime.db.session() as session:
            plan = await repository.lock_waiting(session, plan_id)
            if plan is None:
                return None
            step = await self._prepare(plan)
            if isinstance(step, Outcome):
                return await self._record(session, plan, step)
            if plan.backup is None:
                plan.backup = step.current
        async with self.runtime.db.session() as session:
            plan = await repository.lock_waiting(session, plan_id)
            if plan is None:
                return None
            return await self._record(session, plan, await self._act(step))

    async def _prepare(self, plan: FixPlan) -> ReadyFix | Outcome:
        if not self.settings.account_allowed(plan.account_id):
            return Outcome("skipped", f"account {plan.account_id} is not on the allow-list")
        fix = FIXES.get(plan.action)
        if fix is None:
            return Outcome("failed", f"no fix is registered as {plan.action!r}")
        status = await violation_status(self.runtime.service("violations"), plan.violation_id)
        if status != "open":
            return Outcome("skipped", f"violation is {status or 'gone'}; nothing to fix")
        target = FixTarget(
            plan.asset_id, plan.account_id, plan.region, plan.resource_type, plan.asset_name
        )
        aws = AccountAws(
            self.runtime.aws, region=plan.region, access=account_access(plan.account_id)
        )
        try:
            current = await asyncio.to_thread(fix.read, aws, target)
        except ResourceGone as exc:
            return Outcome("skipped", str(exc))
        except Exception as exc:
            return Outcome("failed", f"reading the resource failed: {exc}")
        if fix.is_compliant(current):
            return Outcome("skipped", "resource is already compliant")
        if plan.dry_run or self.settings.dry_run:
            return Outcome("dry_run", f"dry run: would {fix.describe(target)}", backup=current)
        return ReadyFix(fix, target, aws, current)

    async def _act(self, ready: ReadyFix) -> Outcome:
        what = ready.fix.describe(ready.target)
        try:
            await asyncio.to_thread(ready.fix.apply, ready.aws, ready.target)
            verified = await asyncio.to_thread(ready.fix.verify, ready.aws, ready.target)
        except Exception as exc:
            return Outcome("failed", f"{what} failed: {exc}")
        if not verified:
            return Outcome("failed", f"{what}: verification read back a non-compliant resource")
        return Outcome("applied", f"applied and verified: {what}")

    async def _record(self, session: AsyncSession, plan: FixPlan, outcome: Outcome) -> str:
        now = utcnow()
        plan.status = outcome.status
        plan.detail = outcome.detail
        if outcome.backup is not None and plan.backup is None:
            plan.backup = outcome.backup
        if outcome.status == "applied":
            plan.applied_at = now
        plan.updated_at = now
        event = EVENT_FOR_STATUS[outcome.status]
        await announce(session, self.runtime.outbox, plan, event, detail=outcome.detail, now=now)
        log.info(
            "fix plan finished",
            extra={"plan_id": plan.plan_id, "status": plan.status, "detail": plan.detail},
        )
        return plan.status
