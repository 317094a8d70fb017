"""Transactional outbox: events are rows written with the change, then relayed to the bus."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.bus import EventBus, Outgoing
from pacbot.common.db import Database
from pacbot.common.events import Envelope, utcnow
from pacbot.common.metrics import OUTBOX_PUBLISHED

log = logging.getLogger("pacbot.outbox")


def outbox_table(metadata: MetaData) -> Table:
    """The ``outbox`` table inside a service's own metadata."""
    return Table(
        "outbox",
        metadata,
        Column(
            "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
        Column("topic", String(200), nullable=False),
        Column("key", String(500), nullable=False),
        Column("payload", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )


def inbox_table(metadata: MetaData) -> Table:
    """Ids of events a consumer group already applied, written in the same transaction."""
    return Table(
        "inbox",
        metadata,
        Column("consumer_group", String(200), primary_key=True),
        Column("event_id", String(64), primary_key=True),
        Column("applied_at", DateTime(timezone=True), nullable=False),
    )


class Outbox:
    """Adds events to the caller's transaction; they leave only if it commits."""

    def __init__(self, table: Table, *, source: str) -> None:
        self.table = table
        self.source = source
        self.wakeup = asyncio.Event()

    async def add(self, session: AsyncSession, topic: str, envelope: Envelope, *, key: str) -> None:
        """Stage ``envelope`` for ``topic`` within ``session``'s transaction."""
        await self.add_many(session, topic, [(key, envelope)])

    async def add_many(
        self, session: AsyncSession, topic: str, keyed: Sequence[tuple[str, Envelope]]
    ) -> None:
        """Stage every ``(key, envelope)`` for ``topic``, in order, with one INSERT."""
        await self.add_encoded(
            session, topic, [(key, envelope.model_dump_json()) for key, envelope in keyed]
        )

    async def add_encoded(
        self, session: AsyncSession, topic: str, keyed: Sequence[tuple[str, str]]
    ) -> None:
        """Stage every ``(key, envelope JSON)`` for ``topic``, in order, with one INSERT.

        For events already serialized (``events.encode_event``); the relay sends the text as is.
        """
        if not keyed:
            return
        now = utcnow()
        await session.execute(
            insert(self.table),
            [
                {"topic": topic, "key": key, "payload": payload, "created_at": now}
                for key, payload in keyed
            ],
        )
        self.wakeup.set()


class Inbox:
    """Remembers applied event ids so a redelivered event changes nothing."""

    def __init__(self, table: Table) -> None:
        self.table = table

    async def first_time(self, session: AsyncSession, group: str, event_id: str) -> bool:
        """Record ``event_id`` and say whether it is new for ``group``."""
        return bool(await self.first_times(session, group, [event_id]))

    async def first_times(
        self, session: AsyncSession, group: str, event_ids: Sequence[str]
    ) -> set[str]:
        """Record the ids ``group`` has not applied yet and return them: one lookup, one INSERT.

        An id repeated in ``event_ids`` is new at most once.
        """
        wanted = list(dict.fromkeys(event_ids))
        if not wanted:
            return set()
        table = self.table
        seen = set(
            await session.scalars(
                select(table.c.event_id).where(
                    table.c.consumer_group == group, table.c.event_id.in_(wanted)
                )
            )
        )
        new = [event_id for event_id in wanted if event_id not in seen]
        if new:
            now = utcnow()
            await session.execute(
                insert(table),
                [{"consumer_group": group, "event_id": e, "applied_at": now} for e in new],
            )
        return set(new)


class OutboxRelay:
    """Drains the outbox in id order.

    On PostgreSQL one replica relays at a time (a transaction-scoped advisory lock per outbox
    source): two replicas sending neighbouring batches at once could put one key's events on
    the topic out of order, and consumers rely on per-key order.

    Within a process, passes take turns on a lock (the background loop, a caller draining the
    outbox, ``stop``). Two overlapping passes could lose events on SQLite, not only repeat
    them: SQLite reuses the ids of deleted rows, so the slower pass's delete of the ids it read
    would remove rows written after the faster pass emptied the table, never sent.
    """

    def __init__(
        self, db: Database, outbox: Outbox, bus: EventBus, *, poll_seconds: float = 0.2
    ) -> None:
        self.db = db
        self.outbox = outbox
        self.bus = bus
        self.poll_seconds = poll_seconds
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._turn = asyncio.Lock()

    async def relay_once(self, batch: int = 500) -> int:
        """Send up to ``batch`` pending events; returns how many left the outbox.

        All are sent before one wait for the acknowledgements, then deleted in one statement; a
        failure keeps every row, to be sent again (consumers dedupe by event id).
        """
        async with self._turn:
            return await self._relay_pass(batch)

    async def _relay_pass(self, batch: int) -> int:
        table = self.outbox.table
        async with self.db.session() as session:
            if self.db.is_postgres and not await session.scalar(
                text("SELECT pg_try_advisory_xact_lock(hashtext(:name))"),
                {"name": f"pacbot-outbox:{self.outbox.source}"},
            ):
                return 0  # another replica is relaying this outbox right now
            query = select(table).order_by(table.c.id).limit(batch)
            rows = (await session.execute(query)).all()
            if rows:
                await self.bus.publish_many(
                    [Outgoing(row.topic, row.payload.encode(), row.key) for row in rows]
                )
                await session.execute(delete(table).where(table.c.id.in_([r.id for r in rows])))
        OUTBOX_PUBLISHED.labels(self.outbox.source).inc(len(rows))
        return len(rows)

    async def run(self) -> None:
        """Relay until stopped, waking on new rows or every poll interval."""
        while True:
            try:
                while await self.relay_once():
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay failed; will retry")
            if self._stopping:
                return
            self.outbox.wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.outbox.wakeup.wait(), self.poll_seconds)
                # Woken by a new row: let its transaction (and its neighbours) commit first,
                # so one relay pass carries a batch instead of one query per event.
                await asyncio.sleep(min(0.02, self.poll_seconds))

    def start(self) -> None:
        """Run the relay in the background."""
        self._stopping = False
        self._task = asyncio.create_task(self.run())

    async def stop(self, grace_seconds: float = 10.0) -> None:
        """Stop the relay once it has sent what is pending.

        The pass in flight finishes rather than being cancelled between the send and the delete
        (which would send its rows again); only a relay stuck past ``grace_seconds`` is cancelled.
        """
        if self._task is not None:
            self._stopping = True
            self.outbox.wakeup.set()
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self._task, grace_seconds)
            self._task = None
        with contextlib.suppress(Exception):
            await self.relay_once()
