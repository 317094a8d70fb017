"""Kafka adapter (aiokafka): idempotent producer, manual commits after the handler, DLQ topics."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    InvalidProducerEpoch,
    InvalidProducerIdMapping,
    KafkaError,
    OutOfOrderSequenceNumber,
    ProducerFenced,
    TopicAlreadyExistsError,
)

from pacbot.common.bus._base import (
    Delivery,
    Message,
    Outgoing,
    Subscribing,
    Subscription,
    chunks,
    count_published,
)
from pacbot.common.bus._security import KafkaSecurity
from pacbot.common.events import COMPACTED_TOPICS, Envelope, dead_letter_topic

log = logging.getLogger("pacbot.bus.kafka")

# Errors after which an idempotent producer's sequence numbers no longer match the broker's:
# every later send fails the same way, so the producer is replaced (a new producer id starts its
# sequences afresh). What failed is sent again by its caller; consumers dedupe by event id.
PRODUCER_BROKEN = (
    OutOfOrderSequenceNumber,
    InvalidProducerEpoch,
    InvalidProducerIdMapping,
    ProducerFenced,
)


class KafkaBus(Subscribing):
    """One producer per process, one consumer per subscription; offsets commit after handling."""

    def __init__(
        self,
        bootstrap_servers: str,
        *,
        client_id: str,
        partitions: int = 3,
        security: KafkaSecurity | None = None,
    ) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.client_id = client_id
        self.partitions = partitions
        self.security = security or KafkaSecurity()
        self._producer: AIOKafkaProducer | None = None
        self._producer_lock = asyncio.Lock()
        self._subs: list[Subscription] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._consumers: list[AIOKafkaConsumer] = []

    async def ensure_topics(self, topics: Sequence[str]) -> None:
        """Create the topics that do not exist yet (idempotent)."""
        admin = AIOKafkaAdminClient(
            bootstrap_servers=self.bootstrap_servers,
            client_id=f"{self.client_id}-admin",
            **self.security.client_kwargs(),
        )
        await admin.start()
        try:
            existing = set(await admin.list_topics())
            wanted = [
                NewTopic(
                    name=t,
                    num_partitions=self.partitions,
                    replication_factor=1,
                    topic_configs={"cleanup.policy": "compact"} if t in COMPACTED_TOPICS else {},
                )
                for t in dict.fromkeys(topics)
                if t not in existing
            ]
            if wanted:
                with contextlib.suppress(TopicAlreadyExistsError):
                    await admin.create_topics(wanted)
        finally:
            await admin.close()

    def _new_producer(self) -> AIOKafkaProducer:
        return AIOKafkaProducer(
            bootstrap_servers=self.bootstrap_servers,
            client_id=self.client_id,
            acks="all",
            enable_idempotence=True,
            linger_ms=5,
            **self.security.client_kwargs(),
        )

    async def start(self) -> None:
        """Connect the producer, create subscribed topics, start the consumers."""
        self._producer = self._new_producer()
        await self._producer.start()
        consumed = [t for s in self._subs for t in s.topics]
        # a dead letter must not wait for the broker to auto-create its topic
        await self.ensure_topics(consumed + [dead_letter_topic(t) for t in consumed])
        for sub in self._subs:
            self._tasks.append(asyncio.create_task(self._run(sub)))

    async def stop(self) -> None:
        """Stop consumers first (committing what was handled), then flush the producer."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def publish(self, topic: str, envelope: Envelope, *, key: str) -> None:
        """Send one event and wait for the broker's acknowledgement."""
        await self.publish_raw(topic, envelope.encode(), key=key)

    async def publish_raw(
        self,
        topic: str,
        value: bytes,
        *,
        key: str | None = None,
        headers: Sequence[tuple[str, bytes]] = (),
    ) -> None:
        """Send raw bytes and wait for the acknowledgement."""
        if self._producer is None:
            raise RuntimeError("KafkaBus.publish before start()")
        producer = self._producer
        try:
            await producer.send_and_wait(
                topic, value, key=key.encode() if key else None, headers=list(headers)
            )
        except PRODUCER_BROKEN as exc:
            await self._replace_producer(producer, exc)
            raise
        count_published(topic)

    async def publish_many(self, records: Sequence[Outgoing]) -> None:
        """Send every record, then wait once for all the acknowledgements (in order per key)."""
        if self._producer is None:
            raise RuntimeError("KafkaBus.publish_many before start()")
        producer = self._producer
        try:
            acks = [
                await producer.send(r.topic, r.value, key=r.key.encode() if r.key else None)
                for r in records
            ]
            await asyncio.gather(*acks)
        except PRODUCER_BROKEN as exc:
            await self._replace_producer(producer, exc)
            raise
        for topic, n in Counter(r.topic for r in records).items():
            count_published(topic, n)

    async def _replace_producer(self, broken: AIOKafkaProducer, exc: Exception) -> None:
        """Swap a started new producer in for ``broken`` (once, however many sends saw it fail)."""
        stale: AIOKafkaProducer = broken  # what to stop (the check below narrows ``broken``)
        async with self._producer_lock:
            if self._producer is not broken:
                return  # another send already replaced it
            log.warning(
                "producer out of step with the broker; replacing it", extra={"error": repr(exc)}
            )
            fresh = self._new_producer()
            await fresh.start()
            self._producer = fresh
        with contextlib.suppress(Exception):
            await stale.stop()

    def _add(self, sub: Subscription) -> None:
        """Consumption starts with ``start()``."""
        self._subs.append(sub)

    async def ping(self) -> bool:
        """True when the broker answers a metadata request."""
        if self._producer is None:
            return False
        try:
            # False (not an exception) when no known broker answered the metadata request
            updated = await asyncio.wait_for(self._producer.client.force_metadata_update(), 5)
        except (KafkaError, TimeoutError):
            return False
        return bool(updated)

    async def _run(self, sub: Subscription) -> None:
        while True:
            try:
                await self._consume(sub)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("consumer crashed; restarting", extra={"group": sub.group})
                await asyncio.sleep(1)

    async def _consume(self, sub: Subscription) -> None:
        consumer = AIOKafkaConsumer(
            *sub.topics,
            bootstrap_servers=self.bootstrap_servers,
            client_id=self.client_id,
            group_id=sub.group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=max(200, sub.max_batch),
            **_fetch_sizes(sub),
            **self.security.client_kwargs(),
        )
        await consumer.start()
        deliver = Delivery(sub, self.publish_raw)
        try:
            while True:
                batches = await consumer.getmany(timeout_ms=500)
                for records in batches.values():
                    for chunk in chunks([_message(r) for r in records], sub.max_batch):
                        await deliver(chunk)
                # Commit once the whole fetch is handled (and so its transactions committed):
                # a crash before the commit redelivers it, and the inbox absorbs what was
                # already applied.
                if batches:
                    await consumer.commit(
                        {tp: records[-1].offset + 1 for tp, records in batches.items() if records}
                    )
        finally:
            await consumer.stop()


# A batch subscription asks the broker to hold a fetch until it has this much (or the wait is
# up): under load each transaction then carries a few hundred events instead of the handful
# that arrived since the last fetch; idle, an event waits at most FETCH_MAX_WAIT_MS.
FETCH_MIN_BYTES = 256 * 1024
FETCH_MAX_WAIT_MS = 50


def _fetch_sizes(sub: Subscription) -> dict[str, int]:
    if sub.max_batch <= 1:
        return {}
    return {"fetch_min_bytes": FETCH_MIN_BYTES, "fetch_max_wait_ms": FETCH_MAX_WAIT_MS}


def _message(record: object) -> Message:
    key = getattr(record, "key", None)
    return Message(
        topic=getattr(record, "topic"),  # noqa: B009 - aiokafka's ConsumerRecord is untyped
        partition=getattr(record, "partition"),  # noqa: B009
        offset=getattr(record, "offset"),  # noqa: B009
        key=key.decode() if isinstance(key, bytes) else None,
        value=getattr(record, "value") or b"",  # noqa: B009
        headers=tuple(getattr(record, "headers", ()) or ()),
    )


__all__ = ["KafkaBus", "TopicPartition"]
