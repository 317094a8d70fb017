"""Sweeps every target on a fixed cadence until the app shuts down."""

from __future__ import annotations

from pacbot.common.periodic import Periodic
from pacbot.common.runtime import Runtime
from pacbot.inventory.discovery.planner import SweepPlanner
from pacbot.inventory.discovery.sweep import Discovery


class SweepScheduler(Periodic):
    """A background task: plan, sweep everything, sleep ``interval`` seconds, repeat."""

    name = "inventory-sweep-scheduler"

    def __init__(
        self, runtime: Runtime, planner: SweepPlanner, discovery: Discovery, interval: float
    ) -> None:
        super().__init__(interval)
        self.runtime = runtime
        self.planner = planner
        self.discovery = discovery
        self.rounds = 0

    async def run_once(self) -> None:
        """One full round over every account, region and connector."""
        async with self.runtime.db.session() as session:
            targets = await self.planner.targets(session)
        await self.discovery.sweep_all(targets)
        self.rounds += 1
