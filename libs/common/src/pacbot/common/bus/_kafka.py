"""Kafka adapter (aiokafka): idempotent producer, manual commits after the handler, DLQ topics."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from pacbot.common.bus._base import Delivery, Handler, Message, Subscription, count_published
from pacbot.common.events import COMPACTED_TOPICS, Envelope

log = logging.getLogger("pacbot.bus.kafka")


class KafkaBus:
    """One producer per process, one consumer per subscription; offsets commit after handling."""

    def __init__(self, bootstrap_servers: str, *, client_id: str, partitions: int = 3) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.client_id = client_id
        self.partitions = partitions
        self._producer: AIOKafkaProducer | None = None
        self._subs: list[Subscription] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._consumers: list[AIOKafkaConsumer] = []

    async def ensure_topics(self, topics: Sequence[str]) -> None:
        """Create topics (and their DLQs' absence is fine: DLQs auto-create) idempotently."""
        admin = AIOKafkaAdminClient(
            bootstrap_servers=self.bootstrap_servers, client_id=f"{self.client_id}-admin"
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

    async def start(self) -> None:
        """Connect the producer, create subscribed topics, start the consumers."""
        self._producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap_servers,
            client_id=self.client_id,
            acks="all",
            enable_idempotence=True,
            linger_ms=5,
        )
        await self._producer.start()
        await self.ensure_topics([t for s in self._subs for t in s.topics])
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
        await self._producer.send_and_wait(
            topic, value, key=key.encode() if key else None, headers=list(headers)
        )
        count_published(topic)

    def subscribe(
        self, topics: Sequence[str], group: str, handler: Handler, *, max_attempts: int = 3
    ) -> None:
        """Register a handler; consumption starts with ``start()``."""
        self._subs.append(Subscription(tuple(topics), group, handler, max_attempts=max_attempts))

    async def ping(self) -> bool:
        """True when the broker answers a metadata request."""
        if self._producer is None:
            return False
        try:
            await asyncio.wait_for(self._producer.client.force_metadata_update(), 5)
        except (KafkaError, TimeoutError):
            return False
        return True

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
            max_poll_records=200,
        )
        await consumer.start()
        deliver = Delivery(sub, self.publish_raw)
        try:
            while True:
                batches = await consumer.getmany(timeout_ms=500)
                for tp, records in batches.items():
                    for record in records:
                        await deliver(_message(record))
                    # Commit once the whole batch of this partition is handled: a crash before
                    # the commit redelivers the batch, and idempotent handlers absorb it.
                    await consumer.commit({tp: records[-1].offset + 1})
        finally:
            await consumer.stop()


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
