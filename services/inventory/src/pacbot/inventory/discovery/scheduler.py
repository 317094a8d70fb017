"""Sweeps every target on a fixed cadence until the app shuts down."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from pacbot.common.runtime import Runtime
from pacbot.inventory.discovery.planner import SweepPlanner
from pacbot.inventory.discovery.sweep import Discovery

log = logging.getLogger("pacbot.inventory.scheduler")


class SweepScheduler:
    """A background task: plan, sweep everything, sleep ``interval`` seconds, repeat."""

    def __init__(
        self, runtime: Runtime, planner: SweepPlanner, discovery: Discovery, interval: float
    ) -> None:
        if interval <= 0:
            raise ValueError("the sweep interval must be positive")
        self.runtime = runtime
        self.planner = planner
        self.discovery = discovery
        self.interval = interval
        self.rounds = 0
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> None:
        """One full round over every account, region and connector."""
        async with self.runtime.db.session() as session:
            targets = await self.planner.targets(session)
        await self.discovery.sweep_all(targets)
        self.rounds += 1

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("sweep round failed; retrying next interval")
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        """Begin sweeping in the background."""
        self._task = asyncio.create_task(self._loop(), name="inventory-sweep-scheduler")

    async def stop(self) -> None:
        """Cancel the loop and wait for it; an interrupted sweep commits nothing."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
