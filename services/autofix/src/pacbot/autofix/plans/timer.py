"""The durable timer: plans live in the database, so a restart loses no due fix."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from pacbot.autofix.plans import repository
from pacbot.autofix.plans.executor import FixExecutor
from pacbot.autofix.plans.planner import Planner
from pacbot.autofix.plans.violations import PeerUnavailable
from pacbot.common.events import utcnow
from pacbot.common.runtime import Runtime

log = logging.getLogger("pacbot.autofix.timer")


class FixTimer:
    """Every ``interval`` seconds: retry owed notifications, then execute due plans."""

    def __init__(
        self, runtime: Runtime, planner: Planner, executor: FixExecutor, interval: float
    ) -> None:
        self.runtime = runtime
        self.planner = planner
        self.executor = executor
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    async def tick(self) -> None:
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

    async def _run(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("autofix timer pass failed; will retry")
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        """Run the timer in the background."""
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Cancel the timer and wait for it."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
