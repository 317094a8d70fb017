"""The background loop that expires exceptions whose time is up."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from pacbot.common.events import utcnow
from pacbot.common.runtime import Runtime
from pacbot.exceptions.grants.service import expire_due

log = logging.getLogger("pacbot.exceptions.expiry")


class ExpiryLoop:
    """Every ``interval`` seconds, expires due exceptions in one transaction."""

    def __init__(self, runtime: Runtime, interval: float) -> None:
        self.runtime = runtime
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> int:
        """Expire what is due now; returns how many exceptions expired."""
        async with self.runtime.db.session() as session:
            expired = await expire_due(session, self.runtime.outbox, utcnow())
        if expired:
            log.info("exceptions expired", extra={"count": expired})
        return expired

    async def _run(self) -> None:
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("expiry pass failed; will retry")
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        """Run the loop in the background."""
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Cancel the loop and wait for it."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
