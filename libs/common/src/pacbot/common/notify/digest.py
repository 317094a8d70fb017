"""A daily digest per recipient, sent at most once a day however many replicas or restarts."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.db import Database
from pacbot.common.events import utcnow
from pacbot.common.notify.notifier import Clock, Notifier
from pacbot.common.periodic import Periodic

log = logging.getLogger("pacbot.notify.digest")

Collect = Callable[[AsyncSession, datetime], Awaitable[dict[str, list[dict[str, Any]]]]]


class DigestJob(Periodic):
    """Each pass collects ``{recipient: [items]}`` since the start of the current UTC day and
    enqueues one ``digest`` notification per recipient with items, deduplicated by
    ``digest:<recipient>:<YYYY-MM-DD>``, so a recipient hears once a day at most.

    The template gets ``recipient``, ``items``, ``count``, ``day`` (YYYY-MM-DD) and ``since``.
    """

    name = "notify-digest"

    def __init__(
        self,
        notifier: Notifier,
        db: Database,
        collect: Collect,
        *,
        template: str,
        interval: float,
        clock: Clock = utcnow,
    ) -> None:
        super().__init__(interval)
        self.notifier = notifier
        self.db = db
        self.collect = collect
        self.template = template
        self.clock = clock

    async def run_once(self) -> int:
        """Collect and enqueue today's digests (one transaction); returns how many are new."""
        now = self.clock().astimezone(UTC)
        since = datetime.combine(now.date(), time(0), tzinfo=UTC)
        day = since.date().isoformat()
        enqueued = 0
        async with self.db.session() as session:
            batches = await self.collect(session, since)
            for recipient, items in sorted(batches.items()):
                if not recipient.strip() or not items:
                    continue
                made = await self.notifier.enqueue(
                    session,
                    kind="digest",
                    subject_ref=f"digest:{day}",
                    recipient=recipient,
                    template=self.template,
                    context={
                        "recipient": recipient,
                        "items": items,
                        "count": len(items),
                        "day": day,
                        "since": since.isoformat(),
                    },
                    dedupe_key=f"digest:{recipient.strip()}:{day}",
                )
                enqueued += made is not None
        if enqueued:
            log.info("digests enqueued", extra={"count": enqueued, "day": day})
        return enqueued
