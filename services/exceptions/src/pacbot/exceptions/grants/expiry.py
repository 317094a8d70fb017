"""The background loop that announces exceptions ending soon and expires those whose time is up."""

from __future__ import annotations

import logging

from pacbot.common.events import utcnow
from pacbot.common.periodic import Periodic
from pacbot.common.runtime import Runtime
from pacbot.exceptions.grants.notices import Notices
from pacbot.exceptions.grants.service import expire_due, warn_expiring

log = logging.getLogger("pacbot.exceptions.expiry")


class ExpiryLoop(Periodic):
    """Every ``interval`` seconds: one transaction warns (once each, telling the requester when
    ``notices`` is given), then expires what is due."""

    name = "exceptions-expiry"

    def __init__(
        self,
        runtime: Runtime,
        interval: float,
        expiring_soon_days: float,
        notices: Notices | None = None,
    ) -> None:
        super().__init__(interval)
        self.runtime = runtime
        self.expiring_soon_days = expiring_soon_days
        self.notices = notices

    async def run_once(self) -> tuple[int, int]:
        """Warn and expire as of now; returns (warned, expired)."""
        now = utcnow()
        async with self.runtime.db.session() as session:
            warned = await warn_expiring(
                session, self.runtime.outbox, now, self.expiring_soon_days, self.notices
            )
            expired = await expire_due(session, self.runtime.outbox, now)
        if warned or expired:
            log.info("exceptions expiry pass", extra={"warned": warned, "expired": expired})
        return warned, expired
