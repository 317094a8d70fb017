"""The background loop that expires exceptions whose time is up."""

from __future__ import annotations

import logging

from pacbot.common.events import utcnow
from pacbot.common.periodic import Periodic
from pacbot.common.runtime import Runtime
from pacbot.exceptions.grants.service import expire_due

log = logging.getLogger("pacbot.exceptions.expiry")


class ExpiryLoop(Periodic):
    """Every ``interval`` seconds, expires due exceptions in one transaction."""

    name = "exceptions-expiry"

    def __init__(self, runtime: Runtime, interval: float) -> None:
        super().__init__(interval)
        self.runtime = runtime

    async def run_once(self) -> int:
        """Expire what is due now; returns how many exceptions expired."""
        async with self.runtime.db.session() as session:
            expired = await expire_due(session, self.runtime.outbox, utcnow())
        if expired:
            log.info("exceptions expired", extra={"count": expired})
        return expired
