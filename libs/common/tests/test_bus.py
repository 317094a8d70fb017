"""One behavioural suite, run on the in-memory bus and on a real Kafka broker."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from pacbot.common.bus import EventBus, KafkaBus, MemoryBus
from pacbot.common.events import AssetDeleted, Envelope
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


async def _dlq(bus: EventBus, topic: str, unique: str) -> list[tuple[bytes, dict[str, bytes]]]:
    """Read the dead-letter topic through a fresh raw subscription."""
    if isinstance(bus, MemoryBus):
        return [(m.value, dict(m.headers)) for m in bus.messages(f"{topic}.dlq")]
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(
        f"{topic}.dlq",
        bootstrap_servers=bus.bootstrap_servers,  # type: ignore[attr-defined]
        group_id=f"dlq-reader-{unique}",
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
        again = bus
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
