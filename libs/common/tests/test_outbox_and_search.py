"""Outbox and inbox against SQLite and a real PostgreSQL (search: test_search.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import Column, MetaData, String, Table, func, insert, select

from pacbot.cli.devstack import StackInfo
from pacbot.common.bus import MemoryBus, Outgoing
from pacbot.common.db import Database, new_metadata
from pacbot.common.events import AssetDeleted, Envelope
from pacbot.common.outbox import Inbox, Outbox, OutboxRelay, inbox_table, outbox_table
from pacbot.common.search import search_table
from pacbot.common.testing import sample_event


def _tables() -> tuple[MetaData, Table, Outbox, Inbox, Table]:
    metadata = new_metadata()
    things = Table("things", metadata, Column("id", String(40), primary_key=True))
    outbox = Outbox(outbox_table(metadata), source="test")
    inbox = Inbox(inbox_table(metadata))
    search_table(metadata)
    return metadata, things, outbox, inbox, metadata.tables["search_documents"]


@pytest.fixture(params=["sqlite", "postgres"])
async def database(
    request: pytest.FixtureRequest, tmp_path: Path, unique: str
) -> AsyncIterator[Database]:
    """A migrated database of either kind, in its own schema / file."""
    if request.param == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{tmp_path}/t.db")
    else:
        db = Database(request.getfixturevalue("stack").postgres_url, schema=f"t_{unique}")
    await db.create_schema()
    yield db
    await db.dispose()


async def test_outbox_events_leave_only_when_the_transaction_commits(database: Database) -> None:
    metadata, things, outbox, _, _ = _tables()
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    bus = MemoryBus()
    relay = OutboxRelay(database, outbox, bus)

    async def failing_change() -> None:
        async with database.session() as session:
            await session.execute(insert(things).values(id="rolled-back"))
            await outbox.add(session, "t.topic", sample_event(version=1), key="k")
            raise RuntimeError("the change fails")

    with pytest.raises(RuntimeError):
        await failing_change()
    async with database.session() as session:
        await session.execute(insert(things).values(id="kept"))
        await outbox.add(session, "t.topic", sample_event(version=2), key="k")
        await outbox.add(session, "t.topic", sample_event(version=3), key="k")

    assert await relay.relay_once() == 2
    assert await relay.relay_once() == 0
    sent = [m.value for m in bus.messages("t.topic")]
    assert [b'"version":2' in v for v in sent] == [True, False]
    assert b'"version":3' in sent[1]
    async with database.session() as session:
        assert list(await session.scalars(select(things.c.id))) == ["kept"]


async def test_inbox_says_first_time_once(database: Database) -> None:
    metadata, _, _, inbox, _ = _tables()
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    async with database.session() as session:
        assert await inbox.first_time(session, "g", "e1") is True
    async with database.session() as session:
        assert await inbox.first_time(session, "g", "e1") is False
        assert await inbox.first_time(session, "other", "e1") is True


async def test_inbox_batch_lookup_returns_each_new_id_once(database: Database) -> None:
    metadata, _, _, inbox, _ = _tables()
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    async with database.session() as session:
        assert await inbox.first_times(session, "g", ["e1", "e2", "e1"]) == {"e1", "e2"}
    async with database.session() as session:
        assert await inbox.first_times(session, "g", ["e2", "e3", "e3"]) == {"e3"}
        assert await inbox.first_times(session, "other", ["e1", "e3"]) == {"e1", "e3"}
        assert await inbox.first_times(session, "g", []) == set()
    async with database.session() as session:
        rows = await session.scalar(select(func.count()).select_from(inbox.table))
    assert rows == 5


async def test_relay_sends_a_batch_in_order_and_empties_the_outbox(database: Database) -> None:
    metadata, _, outbox, _, _ = _tables()
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    bus = MemoryBus(partitions=1)
    async with database.session() as session:
        await outbox.add_many(
            session, "t.a", [(f"k{v % 2}", sample_event(version=v)) for v in range(1, 8)]
        )
        await outbox.add(session, "t.b", sample_event(version=8), key="k0")
    relay = OutboxRelay(database, outbox, bus)
    assert await relay.relay_once(batch=5) == 5
    assert await relay.relay_once(batch=5) == 3
    assert await relay.relay_once() == 0
    sent = [
        (m.key, Envelope.decode(m.value).payload_as(AssetDeleted).version)
        for m in bus.messages("t.a")
    ]
    assert sent == [(f"k{v % 2}", v) for v in range(1, 8)]
    assert [m.key for m in bus.messages("t.b")] == ["k0"]


class UnreachableBus(MemoryBus):
    """A bus whose broker refuses every batch."""

    async def publish_many(self, records: Sequence[Outgoing]) -> None:
        raise ConnectionError("broker unreachable")


async def test_relay_keeps_every_row_when_the_batch_cannot_be_sent(database: Database) -> None:
    metadata, _, outbox, _, _ = _tables()
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    async with database.session() as session:
        await outbox.add_many(session, "t.a", [("k", sample_event(version=v)) for v in (1, 2)])
    with pytest.raises(ConnectionError):
        await OutboxRelay(database, outbox, UnreachableBus()).relay_once()
    bus = MemoryBus()
    assert await OutboxRelay(database, outbox, bus).relay_once() == 2
    assert len(bus.messages("t.a")) == 2


class SlowBus(MemoryBus):
    """A bus whose broker has the records at once but acknowledges only when the gate opens."""

    def __init__(self) -> None:
        super().__init__()
        self.sending = asyncio.Event()
        self.gate = asyncio.Event()

    async def publish_many(self, records: Sequence[Outgoing]) -> None:
        await super().publish_many(records)
        self.sending.set()
        await self.gate.wait()


async def test_stopping_the_relay_mid_send_sends_each_row_once(database: Database) -> None:
    metadata, _, outbox, _, _ = _tables()
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    bus = SlowBus()
    relay = OutboxRelay(database, outbox, bus, poll_seconds=0.05)
    relay.start()
    async with database.session() as session:
        await outbox.add_many(session, "t.a", [("k", sample_event(version=v)) for v in (1, 2, 3)])
    await asyncio.wait_for(bus.sending.wait(), 10)
    stopping = asyncio.create_task(relay.stop())
    await asyncio.sleep(0.1)  # the stop is waiting for the pass in flight, not cancelling it
    bus.gate.set()
    await stopping
    versions = [
        Envelope.decode(m.value).payload_as(AssetDeleted).version for m in bus.messages("t.a")
    ]
    assert versions == [1, 2, 3]
    async with database.session() as session:
        assert await session.scalar(select(func.count()).select_from(outbox.table)) == 0


class LaggingBus(MemoryBus):
    """A bus whose broker takes a while to acknowledge each batch."""

    def __init__(self, delay: float) -> None:
        super().__init__(partitions=1)
        self.delay = delay

    async def publish_many(self, records: Sequence[Outgoing]) -> None:
        await asyncio.sleep(self.delay)
        await super().publish_many(records)


async def test_replicas_relay_one_at_a_time_so_each_key_stays_in_order(
    stack: StackInfo, unique: str
) -> None:
    """Two replicas draining one PostgreSQL outbox never send neighbouring batches at once."""
    database = Database(stack.postgres_url, schema=f"t_{unique}")
    await database.create_schema()
    try:
        metadata, _, outbox, _, _ = _tables()
        async with database.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        async with database.session() as session:
            await outbox.add_many(
                session, "t.a", [("k", sample_event(version=v)) for v in range(1, 7)]
            )
        bus = LaggingBus(delay=0.5)
        first, second = OutboxRelay(database, outbox, bus), OutboxRelay(database, outbox, bus)
        sending = asyncio.create_task(first.relay_once(batch=3))
        await asyncio.sleep(0.2)  # the first replica holds rows 1-3 and waits for the broker
        assert await second.relay_once(batch=3) == 0  # it must not send rows 4-6 meanwhile
        assert await sending == 3
        assert await second.relay_once(batch=3) == 3
        sent = [
            Envelope.decode(m.value).payload_as(AssetDeleted).version for m in bus.messages("t.a")
        ]
        assert sent == [1, 2, 3, 4, 5, 6]
    finally:
        await database.dispose()


class FirstSendLags(MemoryBus):
    """A bus whose first send waits (a slow broker acknowledgement); later sends go at once."""

    def __init__(self, delay: float) -> None:
        super().__init__(partitions=1)
        self.delay = delay
        self.sends = 0

    async def publish_many(self, records: Sequence[Outgoing]) -> None:
        self.sends += 1
        if self.sends == 1:
            await asyncio.sleep(self.delay)
        await super().publish_many(records)


async def test_overlapping_passes_lose_nothing_when_sqlite_reuses_ids(tmp_path: Path) -> None:
    """A drain that overlaps the background pass (as ``settle`` does) sends every event.

    SQLite gives a new row the id of a deleted one once the table is empty; a pass that
    deleted by the ids it had read, after another pass had emptied the table, removed the
    two events written meanwhile (the demo's missing evaluations).
    """
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/t.db")
    try:
        metadata, _, outbox, _, _ = _tables()
        async with database.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)

        async def add(versions: range) -> None:
            async with database.session() as session:
                await outbox.add_many(
                    session, "t.a", [("k", sample_event(version=v)) for v in versions]
                )

        await add(range(1, 4))
        bus = FirstSendLags(delay=0.5)
        relay = OutboxRelay(database, outbox, bus)
        slow = asyncio.create_task(relay.relay_once())  # holds rows 1-3 while its send lags
        await asyncio.sleep(0.1)
        fast = asyncio.create_task(relay.relay_once())
        await asyncio.sleep(0.1)
        await add(range(4, 6))  # written while the slow pass still waits for its send
        await asyncio.gather(slow, fast)
        while await relay.relay_once():
            pass
        sent = {
            Envelope.decode(m.value).payload_as(AssetDeleted).version for m in bus.messages("t.a")
        }
        assert sent == {1, 2, 3, 4, 5}
    finally:
        await database.dispose()
