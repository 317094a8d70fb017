"""One behavioural suite, run on the in-memory bus and on a real Kafka broker."""

from __future__ import annotations

import asyncio
import gc
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, String, Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.cli.devstack import StackInfo
from pacbot.common.bus import EventBus, KafkaBus, MemoryBus, Outgoing
from pacbot.common.db import new_metadata
from pacbot.common.events import AssetDeleted, Envelope
from pacbot.common.runtime import Runtime, SharedInfra, messaging_tables
from pacbot.common.settings import ServiceSettings
from pacbot.common.testing import eventually, sample_event

BusFactory = Callable[[str], EventBus]


@pytest.fixture(params=["memory", "kafka"])
async def make_bus(request: pytest.FixtureRequest) -> AsyncIterator[BusFactory]:
    """Yields a factory of started-later buses of one kind; stops them all afterwards."""
    made: list[EventBus] = []
    shared_memory = MemoryBus()

    def factory(client_id: str) -> EventBus:
        if request.param == "memory":
            bus: EventBus = shared_memory
        else:
            stack = request.getfixturevalue("stack")
            bus = KafkaBus(stack.kafka_bootstrap, client_id=client_id, partitions=3)
        made.append(bus)
        return bus

    yield factory
    for bus in reversed(made):
        await bus.stop()


class Recorder:
    """Collects the versions a handler saw, optionally failing on some."""

    def __init__(self, fail_versions: set[int] | None = None, fail_times: int = 10**6) -> None:
        self.seen: list[int] = []
        self.fail_versions = fail_versions or set()
        self.fail_times = fail_times
        self.failures = 0

    async def __call__(self, envelope: Envelope) -> None:
        version = envelope.payload_as(AssetDeleted).version
        if version in self.fail_versions and self.failures < self.fail_times:
            self.failures += 1
            raise RuntimeError(f"boom on {version}")
        self.seen.append(version)


class BatchRecorder:
    """Collects the batches a batch handler saw as (asset id, version) pairs; a batch holding a
    version in ``fail_versions`` fails as a whole (nothing of it is recorded)."""

    def __init__(self, fail_versions: set[int] | None = None) -> None:
        self.batches: list[list[tuple[str, int]]] = []
        self.fail_versions = fail_versions or set()
        self.failed_batches = 0

    async def __call__(self, envelopes: Sequence[Envelope]) -> None:
        events = [e.payload_as(AssetDeleted) for e in envelopes]
        bad = sorted(self.fail_versions.intersection(e.version for e in events))
        if bad:
            self.failed_batches += 1
            raise RuntimeError(f"boom on {bad}")
        self.batches.append([(e.asset.asset_id, e.version) for e in events])

    @property
    def seen(self) -> list[int]:
        return [version for batch in self.batches for _, version in batch]

    def versions_of(self, asset_id: str) -> list[int]:
        return [v for batch in self.batches for a, v in batch if a == asset_id]


def _records(topic: str, key: str, versions: Sequence[int]) -> list[Outgoing]:
    return [Outgoing(topic, sample_event(key, v).encode(), key) for v in versions]


async def _publish_before_consuming(
    make_bus: BusFactory, bus: EventBus, unique: str, records: Sequence[Outgoing]
) -> None:
    """Publish ``records`` in one call, then start ``bus``: its first fetch holds them all."""
    publisher = make_bus(f"pub-{unique}")
    if publisher is not bus:  # Kafka: a second client; the memory bus publishes unstarted
        await publisher.start()
    await publisher.publish_many(records)
    await bus.start()


async def _dlq(bus: EventBus, topic: str, unique: str) -> list[tuple[bytes, dict[str, bytes]]]:
    """Read the dead-letter topic through a fresh raw subscription."""
    if isinstance(bus, MemoryBus):
        return [(m.value, dict(m.headers)) for m in bus.messages(f"{topic}.dlq")]
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(
        f"{topic}.dlq",
        bootstrap_servers=bus.bootstrap_servers,  # type: ignore[attr-defined]
        group_id=f"dlq-reader-{unique}-{uuid.uuid4().hex[:6]}",  # from the start every time
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        batches = await consumer.getmany(timeout_ms=3000)
        return [(r.value, dict(r.headers)) for records in batches.values() for r in records]
    finally:
        await consumer.stop()


async def test_events_of_one_key_arrive_in_order(make_bus: BusFactory, unique: str) -> None:
    topic = f"test.order.{unique}"
    bus = make_bus(f"order-{unique}")
    recorder = Recorder()
    bus.subscribe([topic], f"g-{unique}", recorder)
    await bus.start()
    for version in range(1, 21):
        await bus.publish(topic, sample_event("arn:aws:s3:::k", version), key="arn:aws:s3:::k")
    await eventually(lambda: _async(len(recorder.seen) == 20), what="20 events")
    assert recorder.seen == list(range(1, 21))


async def test_every_group_gets_every_event(make_bus: BusFactory, unique: str) -> None:
    topic = f"test.groups.{unique}"
    bus = make_bus(f"groups-{unique}")
    first, second = Recorder(), Recorder()
    bus.subscribe([topic], f"a-{unique}", first)
    bus.subscribe([topic], f"b-{unique}", second)
    await bus.start()
    for version in (1, 2, 3):
        await bus.publish(
            topic, sample_event(f"arn:aws:s3:::k{version}", version), key=f"k{version}"
        )
    await eventually(
        lambda: _async(len(first.seen) == 3 and len(second.seen) == 3), what="both groups"
    )
    assert sorted(first.seen) == sorted(second.seen) == [1, 2, 3]


async def test_malformed_message_goes_to_dead_letter_and_consumer_keeps_going(
    make_bus: BusFactory, unique: str
) -> None:
    topic = f"test.dlq.{unique}"
    bus = make_bus(f"dlq-{unique}")
    recorder = Recorder()
    bus.subscribe([topic], f"g-{unique}", recorder)
    await bus.start()
    await bus.publish_raw(topic, b'{"this is": "not an event"', key="k")
    await bus.publish(topic, sample_event("arn:aws:s3:::k", 7), key="k")
    await eventually(lambda: _async(recorder.seen == [7]), what="the good event after the bad one")
    dead = await eventually(lambda: _dlq(bus, topic, unique), what="a dead letter")
    assert dead[0][0] == b'{"this is": "not an event"'
    assert b"not a CloudEvents envelope" in dead[0][1]["pacbot-error"]
    assert dead[0][1]["pacbot-original-topic"] == topic.encode()


async def test_handler_that_keeps_failing_is_retried_then_dead_lettered(
    make_bus: BusFactory, unique: str
) -> None:
    topic = f"test.retry.{unique}"
    bus = make_bus(f"retry-{unique}")
    recorder = Recorder(fail_versions={1})
    bus.subscribe([topic], f"g-{unique}", recorder, max_attempts=3)
    await bus.start()
    await bus.publish(topic, sample_event("arn:aws:s3:::k", 1), key="k")
    await bus.publish(topic, sample_event("arn:aws:s3:::k", 2), key="k")
    await eventually(lambda: _async(recorder.seen == [2]), what="event 2 after 1 was given up")
    assert recorder.failures == 3
    dead = await eventually(lambda: _dlq(bus, topic, unique), what="a dead letter")
    assert b"handler failed 3 times" in dead[0][1]["pacbot-error"]


async def test_transient_failure_is_retried_and_delivered_once(
    make_bus: BusFactory, unique: str
) -> None:
    topic = f"test.transient.{unique}"
    bus = make_bus(f"transient-{unique}")
    recorder = Recorder(fail_versions={1}, fail_times=1)
    bus.subscribe([topic], f"g-{unique}", recorder, max_attempts=3)
    await bus.start()
    await bus.publish(topic, sample_event("arn:aws:s3:::k", 1), key="k")
    await eventually(lambda: _async(recorder.seen == [1]), what="the retried event")
    assert recorder.failures == 1


class Outage:
    """A handler whose dependency is down for its first ``calls`` calls (connection refused,
    as asyncpg raises it while PostgreSQL restarts), then records what it is given."""

    def __init__(self, calls: int) -> None:
        self.down_for = calls
        self.calls = 0
        self.batches: list[list[int]] = []

    async def __call__(self, envelopes: Sequence[Envelope]) -> None:
        self.calls += 1
        if self.calls <= self.down_for:
            raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)")
        self.batches.append([e.payload_as(AssetDeleted).version for e in envelopes])


@pytest.mark.parametrize("batch", [False, True], ids=["per-event", "batch"])
async def test_an_outage_longer_than_the_attempts_is_waited_out_not_dead_lettered(
    make_bus: BusFactory, unique: str, batch: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Six failures in a row, with three attempts allowed: a dependency outage is not the
    message's fault, so the same messages are tried until it answers, in order, whole."""
    monkeypatch.setattr("pacbot.common.bus._base.OUTAGE_FIRST_WAIT", 0.01)
    topic = f"test.outage.{unique}"
    bus = make_bus(f"outage-{unique}")
    handler = Outage(calls=6)
    if batch:
        bus.subscribe_batch([topic], f"g-{unique}", handler, max_attempts=3)
        await _publish_before_consuming(
            make_bus, bus, unique, _records(topic, "arn:aws:s3:::k", range(1, 6))
        )
    else:
        bus.subscribe([topic], f"g-{unique}", one_at_a_time_recorder(handler), max_attempts=3)
        await bus.start()
        for version in range(1, 6):
            await bus.publish(topic, sample_event("arn:aws:s3:::k", version), key="k")
    await eventually(
        lambda: _async(sum(map(len, handler.batches)) == 5), what="all five after the outage"
    )
    assert [v for b in handler.batches for v in b] == [1, 2, 3, 4, 5]
    assert handler.calls == 6 + len(handler.batches)
    if batch:  # the batch was never split: the outage was not blamed on one of its events
        assert handler.batches[0] == [1, 2, 3, 4, 5]
    assert await _dlq(bus, topic, unique) == []


def one_at_a_time_recorder(handler: Outage) -> Callable[[Envelope], Awaitable[None]]:
    async def handle(envelope: Envelope) -> None:
        await handler([envelope])

    return handle


async def test_committed_offsets_survive_a_restart(make_bus: BusFactory, unique: str) -> None:
    topic = f"test.restart.{unique}"
    group = f"g-{unique}"
    bus = make_bus(f"restart-{unique}")
    first = Recorder()
    bus.subscribe([topic], group, first)
    await bus.start()
    await bus.publish(topic, sample_event("arn:aws:s3:::k", 1), key="k")
    await eventually(lambda: _async(first.seen == [1]), what="first delivery")
    await bus.stop()
    if isinstance(bus, MemoryBus):
        bus._subs.clear()  # a new process would register afresh
        again: EventBus = bus
    else:
        again = make_bus(f"restart2-{unique}")
    second = Recorder()
    again.subscribe([topic], group, second)
    await again.start()
    await again.publish(topic, sample_event("arn:aws:s3:::k", 2), key="k")
    await eventually(lambda: _async(second.seen == [2]), what="only the new event")
    await asyncio.sleep(0.5)
    assert second.seen == [2]


async def _async(value: bool) -> bool:
    return value


async def test_publish_many_keeps_order_per_key_across_topics(
    make_bus: BusFactory, unique: str
) -> None:
    first, second = f"test.many1.{unique}", f"test.many2.{unique}"
    bus = make_bus(f"many-{unique}")
    seen = {first: BatchRecorder(), second: BatchRecorder()}
    bus.subscribe_batch([first], f"g1-{unique}", seen[first])
    bus.subscribe_batch([second], f"g2-{unique}", seen[second])
    await bus.start()
    await bus.publish_many(
        [
            record
            for v in range(1, 6)
            for record in (*_records(first, "a", [v]), *_records(second, "b", [10 + v]))
        ]
    )
    await eventually(
        lambda: _async(len(seen[first].seen) == 5 and len(seen[second].seen) == 5),
        what="both topics",
    )
    assert seen[first].seen == [1, 2, 3, 4, 5]
    assert seen[second].seen == [11, 12, 13, 14, 15]


async def test_batches_are_bounded_and_keep_each_keys_order(
    make_bus: BusFactory, unique: str
) -> None:
    topic = f"test.batch.{unique}"
    bus = make_bus(f"batch-{unique}")
    recorder = BatchRecorder()
    bus.subscribe_batch([topic], f"g-{unique}", recorder, max_batch=7)
    keys = [f"arn:aws:s3:::k{i}" for i in range(3)]
    records = [r for v in range(1, 11) for key in keys for r in _records(topic, key, [v])]
    await _publish_before_consuming(make_bus, bus, unique, records)
    await eventually(lambda: _async(len(recorder.seen) == 30), what="30 events")
    assert all(1 <= len(batch) <= 7 for batch in recorder.batches)
    assert max(len(batch) for batch in recorder.batches) > 1, recorder.batches
    for key in keys:
        assert recorder.versions_of(key) == list(range(1, 11))
    assert recorder.failed_batches == 0


async def test_poison_in_the_middle_of_a_batch_is_dead_lettered_alone(
    make_bus: BusFactory, unique: str
) -> None:
    topic = f"test.poison.{unique}"
    bus = make_bus(f"poison-{unique}")
    recorder = BatchRecorder(fail_versions={2})
    bus.subscribe_batch([topic], f"g-{unique}", recorder, max_attempts=3)
    records = [
        *_records(topic, "k", [1, 2]),
        Outgoing(topic, b'{"not": "an event"', "k"),
        *_records(topic, "k", [3, 4]),
    ]
    await _publish_before_consuming(make_bus, bus, unique, records)
    await eventually(lambda: _async(recorder.seen == [1, 3, 4]), what="the good events, in order")
    dead = await eventually(lambda: _dlq_when(bus, topic, unique, 2), what="both dead letters")
    errors = sorted(headers["pacbot-error"] for _, headers in dead)
    assert errors[0].startswith(b"handler failed 3 times: RuntimeError('boom on [2]')")
    assert errors[1].startswith(b"undecodable: not a CloudEvents envelope")
    assert {headers["pacbot-original-topic"] for _, headers in dead} == {topic.encode()}
    assert recorder.failed_batches == 1 + 3  # the whole batch once, then event 2 three times


async def _dlq_when(
    bus: EventBus, topic: str, unique: str, count: int
) -> list[tuple[bytes, dict[str, bytes]]]:
    dead = await _dlq(bus, topic, unique)
    return dead if len(dead) >= count else []


async def _runtime(bus: EventBus, tmp_path: Path, unique: str) -> tuple[Runtime, Table]:
    """A service runtime on SQLite and ``bus``, with one table its handler writes to."""
    metadata = new_metadata()
    outbox, inbox = messaging_tables(metadata)
    applied = Table(
        "applied",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False),
        Column("version", Integer, nullable=False),
    )
    settings = ServiceSettings(
        service_name=f"svc_{unique}",
        database_url=f"sqlite+aiosqlite:///{tmp_path}/svc.db",
        run_migrations=False,
        consumer_max_attempts=2,
    )
    runtime = Runtime(
        settings, outbox=outbox, inbox=inbox, migrations=tmp_path, shared=SharedInfra(bus=bus)
    )
    async with runtime.db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    return runtime, applied


class ApplyVersions:
    """A batch handler that writes one row per event, then fails if it met ``poison``."""

    def __init__(self, applied: Table, poison: int | None = None) -> None:
        self.applied = applied
        self.poison = poison
        self.calls: list[list[str]] = []

    async def __call__(self, session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        self.calls.append([e.id for e in envelopes])
        rows = [
            {"event_id": e.id, "version": e.payload_as(AssetDeleted).version} for e in envelopes
        ]
        await session.execute(insert(self.applied), rows)
        if self.poison in {row["version"] for row in rows}:
            raise RuntimeError(f"poison {self.poison}")


async def _rows(runtime: Runtime, applied: Table) -> list[tuple[str, int]]:
    async with runtime.db.session() as session:
        result = await session.execute(
            select(applied.c.event_id, applied.c.version).order_by(applied.c.id)
        )
        return [(event_id, version) for event_id, version in result]


async def test_runtime_batches_apply_each_event_once_despite_duplicates(
    make_bus: BusFactory, unique: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    topic = f"test.rt-dup.{unique}"
    bus = make_bus(f"rt-dup-{unique}")
    runtime, applied = await _runtime(bus, tmp_path, unique)
    handler = ApplyVersions(applied)
    runtime.subscribe_batch([topic], handler)
    first, second, third = (sample_event("k", v) for v in (1, 2, 3))
    twice_in_one_batch = [first, first, second, first]
    await _publish_before_consuming(
        make_bus, bus, unique, [Outgoing(topic, e.encode(), "k") for e in twice_in_one_batch]
    )
    await eventually(lambda: _async(len(handler.calls) >= 1), what="the first batch")
    await bus.publish(topic, second, key="k")  # redelivered in a later batch
    await bus.publish(topic, third, key="k")
    await eventually(lambda: _rows_reach(runtime, applied, 3), what="three distinct events applied")
    await asyncio.sleep(0.5)
    assert [version for _, version in await _rows(runtime, applied)] == [1, 2, 3]
    handed = Counter(event_id for call in handler.calls for event_id in call)
    assert handed == {first.id: 1, second.id: 1, third.id: 1}
    assert "batch failed" not in caplog.text  # deduplicated up front, not by the fallback
    await runtime.db.dispose()


async def _rows_reach(runtime: Runtime, applied: Table, count: int) -> bool:
    async with runtime.db.session() as session:
        return (await session.scalar(select(func.count()).select_from(applied))) == count


async def test_runtime_batch_with_a_poison_event_rolls_back_then_applies_the_rest(
    make_bus: BusFactory, unique: str, tmp_path: Path
) -> None:
    topic = f"test.rt-poison.{unique}"
    bus = make_bus(f"rt-poison-{unique}")
    runtime, applied = await _runtime(bus, tmp_path, unique)
    handler = ApplyVersions(applied, poison=13)
    runtime.subscribe_batch([topic], handler)
    events = [sample_event("k", v) for v in (1, 2, 13, 4)]
    await _publish_before_consuming(
        make_bus, bus, unique, [Outgoing(topic, e.encode(), "k") for e in events]
    )
    dead = await eventually(lambda: _dlq(bus, topic, unique), what="the poison dead-lettered")
    assert Envelope.decode(dead[0][0]).id == events[2].id
    assert b"handler failed 2 times: RuntimeError('poison 13')" in dead[0][1]["pacbot-error"]
    await eventually(lambda: _rows_reach(runtime, applied, 3), what="the three good events")
    assert await _rows(runtime, applied) == [
        (e.id, v) for e, v in zip(events, (1, 2, 13, 4), strict=True) if v != 13
    ]
    async with runtime.db.session() as session:
        inbox = set(await session.scalars(select(runtime.inbox.table.c.event_id)))
    assert inbox == {events[0].id, events[1].id, events[3].id}
    await runtime.db.dispose()


async def test_start_messaging_freezes_what_startup_built(tmp_path: Path, unique: str) -> None:
    runtime, _ = await _runtime(MemoryBus(), tmp_path, unique)
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        await runtime.start_messaging()
        assert gc.get_freeze_count() > 0  # startup's objects left the collected generations
    finally:
        await runtime.close()
        gc.unfreeze()


class _Client:
    """What ``KafkaBus.ping`` uses of aiokafka's client: a metadata refresh that says whether it
    reached a broker (aiokafka answers False, not an exception, when none answered)."""

    def __init__(self, updated: bool) -> None:
        self.updated = updated

    async def force_metadata_update(self) -> bool:
        return self.updated


class _Producer:
    def __init__(self, updated: bool) -> None:
        self.client = _Client(updated)


@pytest.mark.parametrize("updated", [True, False])
async def test_kafka_ping_is_false_when_no_broker_answered(updated: bool) -> None:
    bus = KafkaBus("127.0.0.1:9", client_id="ping-test")
    assert await bus.ping() is False  # not started
    bus._producer = _Producer(updated)  # type: ignore[assignment]
    assert await bus.ping() is updated


async def _read_all(bootstrap: str, topic: str, unique: str) -> list[bytes]:
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"reader-{unique}-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        batches = await consumer.getmany(timeout_ms=3000)
        return [r.value for records in batches.values() for r in records]
    finally:
        await consumer.stop()


@pytest.mark.real
@pytest.mark.parametrize("path", ["publish_raw", "publish_many"])
async def test_a_producer_out_of_step_with_the_broker_is_replaced(
    stack: StackInfo, unique: str, path: str
) -> None:
    """After OutOfOrderSequenceNumber an idempotent producer fails every later send; the bus
    swaps in a new one, so the caller's retry (the outbox relay's next pass) goes through."""
    from aiokafka.errors import OutOfOrderSequenceNumber

    topic = f"test.producer.{unique}"
    bus = KafkaBus(stack.kafka_bootstrap, client_id=f"oos-{unique}", partitions=1)
    await bus.ensure_topics([topic])
    await bus.start()
    try:
        broken = bus._producer
        assert broken is not None

        async def out_of_step(*args: object, **kwargs: object) -> None:
            raise OutOfOrderSequenceNumber()

        setattr(broken, "send_and_wait" if path == "publish_raw" else "send", out_of_step)
        refused = (
            bus.publish_raw(topic, b"refused", key="k")
            if path == "publish_raw"
            else bus.publish_many([Outgoing(topic, b"refused", "k")])
        )
        with pytest.raises(OutOfOrderSequenceNumber):
            await refused
        assert bus._producer is not None
        assert bus._producer is not broken
        await bus.publish_raw(topic, b"first", key="k")
        await bus.publish_many([Outgoing(topic, b"second", "k")])
        assert await _read_all(stack.kafka_bootstrap, topic, unique) == [b"first", b"second"]
    finally:
        await bus.stop()
