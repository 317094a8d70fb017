"""The durable timer: plans live in the database, so a restart loses no due fix or reminder."""

from __future__ import annotations

import asyncio
import logging

from pacbot.autofix.plans import repository
from pacbot.autofix.plans.executor import FixExecutor
from pacbot.autofix.plans.notices import Notices
from pacbot.common.events import utcnow
from pacbot.common.periodic import Periodic
from pacbot.common.runtime import Runtime

log = logging.getLogger("pacbot.autofix.timer")


class FixTimer(Periodic):
    """Every ``interval`` seconds: queue owed reminders, settle abandoned runs, run due plans."""

    name = "autofix-timer"

    def __init__(
        self,
        runtime: Runtime,
        notices: Notices,
        executor: FixExecutor,
        interval: float,
        *,
        concurrency: int = 8,
    ) -> None:
        super().__init__(interval)
        self.runtime = runtime
        self.notices = notices
        self.executor = executor
        self.concurrency = concurrency

    async def run_once(self) -> None:
        """One pass over the plans that need attention now."""
        now = utcnow()
        async with self.runtime.db.session() as session:
            for plan_id in await repository.reminder_plan_ids(session, now):
                plan = await repository.get(session, plan_id)
                if plan is not None and plan.status == "waiting":
                    await self.notices.reminder(session, plan, now)
            stale = await repository.stale_plan_ids(session, now)
            due = await repository.due_plan_ids(session, now)
        gate = asyncio.Semaphore(self.concurrency)

        async def run(plan_id: str) -> None:
            async with gate:
                try:
                    await self.executor.execute(plan_id)
                except Exception:  # one plan's surprise never stops the others
                    log.exception("plan run failed", extra={"plan_id": plan_id})

        await asyncio.gather(*(run(plan_id) for plan_id in dict.fromkeys([*stale, *due])))
