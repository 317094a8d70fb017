"""A background loop that runs one pass every interval, survives failed passes and stops cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from typing import Any

log = logging.getLogger("pacbot.periodic")


class Periodic(ABC):
    """Subclasses implement ``run_once``; ``start``/``stop`` manage the task around it."""

    name = "periodic"

    def __init__(self, interval: float) -> None:
        if interval <= 0:
            raise ValueError(f"{self.name}: the interval must be positive, got {interval}")
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    @abstractmethod
    async def run_once(self) -> Any:
        """One pass of the loop's work."""

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s pass failed; retrying next interval", self.name)
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        """Run the loop in the background."""
        self._task = asyncio.create_task(self._loop(), name=self.name)

    async def stop(self) -> None:
        """Cancel the loop and wait for it."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
