"""Runs each (account, region, resource type) sweep when its own cadence says it is due."""

from __future__ import annotations

import asyncio
import functools
from datetime import datetime, timedelta

from sqlalchemy import func, select

from pacbot.common.events import utcnow
from pacbot.common.periodic import Periodic
from pacbot.common.runtime import Runtime
from pacbot.inventory.discovery.planner import SweepPlanner
from pacbot.inventory.discovery.reconcile import SweepKey
from pacbot.inventory.discovery.sweep import Discovery, SweepTarget
from pacbot.inventory.models import Sweep


class SweepScheduler(Periodic):
    """Every tick: find the targets whose last sweep is older than their interval and run them."""

    name = "inventory-sweep-scheduler"

    def __init__(
        self,
        runtime: Runtime,
        planner: SweepPlanner,
        discovery: Discovery,
        interval: float,
        *,
        per_type: dict[str, float] | None = None,
        tick: float | None = None,
    ) -> None:
        super().__init__(tick or interval)
        self.runtime = runtime
        self.planner = planner
        self.discovery = discovery
        self.default_interval = interval
        self.per_type = dict(per_type or {})
        self.rounds = 0
        self._running: dict[SweepKey, asyncio.Task[object]] = {}

    def interval_of(self, resource_type: str) -> float:
        """The cadence of one resource type, in seconds."""
        return self.per_type.get(resource_type, self.default_interval)

    async def due(self, now: datetime) -> list[SweepTarget]:
        """Targets never swept, or last started longer ago than their interval."""
        async with self.runtime.db.session() as session:
            targets = await self.planner.targets(session)
            rows = await session.execute(
                select(
                    Sweep.account_id, Sweep.region, Sweep.resource_type, func.max(Sweep.started_at)
                ).group_by(Sweep.account_id, Sweep.region, Sweep.resource_type)
            )
            last = {SweepKey(a, r, t): started for a, r, t, started in rows}
        return [
            t
            for t in targets
            if t.key not in self._running
            and (
                t.key not in last
                or now - last[t.key] >= timedelta(seconds=self.interval_of(t.key.resource_type))
            )
        ]

    async def run_once(self) -> None:
        """Start the due sweeps in the background, so a slow one never delays the others."""
        for target in await self.due(utcnow()):
            task: asyncio.Task[object] = asyncio.create_task(self.discovery.sweep_all([target]))
            self._running[target.key] = task
            task.add_done_callback(functools.partial(self._finished, target.key))
        self.rounds += 1

    def _finished(self, key: SweepKey, _task: asyncio.Task[object]) -> None:
        self._running.pop(key, None)

    async def stop(self) -> None:
        """Stop looking for due sweeps and cancel the ones in flight (they commit nothing)."""
        await super().stop()
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
