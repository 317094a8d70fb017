"""The durable timer: plans live in the database, so a restart loses no due fix."""

from __future__ import annotations

import logging

from pacbot.autofix.plans import repository
from pacbot.autofix.plans.executor import FixExecutor
from pacbot.autofix.plans.planner import Planner
from pacbot.autofix.plans.violations import PeerUnavailable
from pacbot.common.events import utcnow
from pacbot.common.periodic import Periodic
from pacbot.common.runtime import Runtime

log = logging.getLogger("pacbot.autofix.timer")


class FixTimer(Periodic):
    """Every ``interval`` seconds: retry owed notifications, then execute due plans."""

    name = "autofix-timer"

    def __init__(
        self, runtime: Runtime, planner: Planner, executor: FixExecutor, interval: float
    ) -> None:
        super().__init__(interval)
        self.runtime = runtime
        self.planner = planner
        self.executor = executor

    async def run_once(self) -> None:
        """One pass over the plans that need attention now."""
        now = utcnow()
        async with self.runtime.db.session() as session:
            unnotified = await repository.unnotified_plan_ids(session)
            due = await repository.due_plan_ids(session, now)
        for plan_id in unnotified:
            async with self.runtime.db.session() as session:
                plan = await repository.lock_waiting(session, plan_id)
                if plan is not None and plan.notified_at is None:
                    await self.planner.notify(session, plan, utcnow())
        for plan_id in due:
            try:
                await self.executor.execute(plan_id)
            except PeerUnavailable as exc:
                log.warning("plan postponed", extra={"plan_id": plan_id, "error": str(exc)})
