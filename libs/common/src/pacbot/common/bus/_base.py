"""The bus contract: publish keyed events, consume per group with retry and dead-lettering."""

from __future__ import annotations

import asyncio
import logging
import zlib
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from pacbot.common.bus._transient import is_transient
from pacbot.common.events import Envelope, EventDecodeError, dead_letter_topic
from pacbot.common.metrics import EVENTS_CONSUMED, EVENTS_PUBLISHED

log = logging.getLogger("pacbot.bus")

Handler = Callable[[Envelope], Awaitable[None]]
BatchHandler = Callable[[Sequence[Envelope]], Awaitable[None]]

# The most messages of one partition a batch subscription hands over at once.
DEFAULT_MAX_BATCH = 500

# While a dependency is down, the wait before trying the same messages again: doubling from
# the first, capped at the last.
OUTAGE_FIRST_WAIT = 0.5
OUTAGE_MAX_WAIT = 10.0


@dataclass(frozen=True)
class Message:
    """One record as a consumer sees it."""

    topic: str
    partition: int
    offset: int
    key: str | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = ()


@dataclass(frozen=True)
class Outgoing:
    """One record to publish: ``publish_many`` sends a sequence of them and waits once."""

    topic: str
    value: bytes
    key: str | None = None


@dataclass
class Subscription:
    """A batch handler bound to topics under a consumer group.

    A per-event subscription is the case ``max_batch == 1`` (see ``one_at_a_time``).
    """

    topics: tuple[str, ...]
    group: str
    handler: BatchHandler
    max_attempts: int = 3
    retry_backoff: float = 0.2
    max_batch: int = 1


def one_at_a_time(handler: Handler) -> BatchHandler:
    """Adapt a per-event handler to the batch contract (its batches hold one event)."""

    async def handle(envelopes: Sequence[Envelope]) -> None:
        for envelope in envelopes:
            await handler(envelope)

    return handle


def partition_for(key: str | None, partitions: int) -> int:
    """Stable key → partition mapping, so one key's events stay ordered."""
    if key is None:
        return 0
    return zlib.crc32(key.encode()) % partitions


def chunks(messages: Sequence[Message], size: int) -> list[Sequence[Message]]:
    """``messages`` cut, in order, into slices of at most ``size``."""
    return [messages[i : i + size] for i in range(0, len(messages), max(size, 1))]


class EventBus(Protocol):
    """What services need from a bus; Kafka and the in-memory bus both provide it."""

    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def ensure_topics(self, topics: Sequence[str]) -> None: ...
    async def publish(self, topic: str, envelope: Envelope, *, key: str) -> None: ...
    async def publish_raw(
        self,
        topic: str,
        value: bytes,
        *,
        key: str | None = None,
        headers: Sequence[tuple[str, bytes]] = (),
    ) -> None: ...
    async def publish_many(self, records: Sequence[Outgoing]) -> None: ...
    def subscribe(
        self, topics: Sequence[str], group: str, handler: Handler, *, max_attempts: int = 3
    ) -> None: ...
    def subscribe_batch(
        self,
        topics: Sequence[str],
        group: str,
        handler: BatchHandler,
        *,
        max_attempts: int = 3,
        max_batch: int = DEFAULT_MAX_BATCH,
    ) -> None: ...
    async def ping(self) -> bool: ...


class Subscribing(ABC):
    """The two ways to subscribe, shared by the adapters; each one adds a ``Subscription``."""

    retry_backoff = 0.2

    @abstractmethod
    def _add(self, sub: Subscription) -> None:
        """Register ``sub`` with the adapter (consumers start with the bus)."""

    def subscribe(
        self, topics: Sequence[str], group: str, handler: Handler, *, max_attempts: int = 3
    ) -> None:
        """Register a per-event handler: each event is handled (and retried) on its own."""
        self._add(
            Subscription(
                tuple(topics),
                group,
                one_at_a_time(handler),
                max_attempts=max_attempts,
                retry_backoff=self.retry_backoff,
            )
        )

    def subscribe_batch(
        self,
        topics: Sequence[str],
        group: str,
        handler: BatchHandler,
        *,
        max_attempts: int = 3,
        max_batch: int = DEFAULT_MAX_BATCH,
    ) -> None:
        """Register a handler of up to ``max_batch`` consecutive messages of one partition."""
        self._add(
            Subscription(
                tuple(topics),
                group,
                handler,
                max_attempts=max_attempts,
                retry_backoff=self.retry_backoff,
                max_batch=max_batch,
            )
        )


@dataclass
class Delivery:
    """Runs a slice of one partition through a subscription. Never raises.

    Undecodable messages are dead-lettered first. The rest go to the handler as one batch; if
    that fails, each event is retried on its own, so one poison event is dead-lettered and its
    neighbours are still applied, in their order.

    A failure that is an outage of a dependency (:func:`is_transient`: the database
    restarting, a peer unreachable) is not the message's fault: it neither counts as an attempt
    nor splits the batch. The same messages are tried again, with a growing wait, until the
    dependency answers; the partition waits meanwhile, so nothing is dead-lettered or reordered.
    """

    sub: Subscription
    publish_raw: Callable[..., Awaitable[None]]

    async def __call__(self, messages: Sequence[Message]) -> None:
        decoded: list[tuple[Message, Envelope]] = []
        for msg in messages:
            try:
                decoded.append((msg, Envelope.decode(msg.value)))
            except EventDecodeError as exc:
                await self._dead_letter(msg, f"undecodable: {exc}")
        if len(decoded) > 1 and await self._whole_batch(decoded):
            return
        for msg, envelope in decoded:
            await self._one(msg, envelope)

    async def _whole_batch(self, decoded: Sequence[tuple[Message, Envelope]]) -> bool:
        outages = 0
        while True:
            try:
                await self.sub.handler([envelope for _, envelope in decoded])
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if is_transient(exc):
                    outages += 1
                    await self._wait_out(decoded[0][0], len(decoded), outages, exc)
                    continue
                return self._batch_failed(decoded, exc)
            EVENTS_CONSUMED.labels(self.sub.group, decoded[0][0].topic, "ok").inc(len(decoded))
            return True

    def _batch_failed(self, decoded: Sequence[tuple[Message, Envelope]], exc: Exception) -> bool:
        first = decoded[0][0]
        log.warning(
            "batch failed; applying its events one by one",
            extra={
                "group": self.sub.group,
                "topic": first.topic,
                "partition": first.partition,
                "offset": first.offset,
                "size": len(decoded),
                "error": repr(exc),
            },
        )
        return False

    async def _wait_out(self, first: Message, size: int, outages: int, exc: Exception) -> None:
        """Log an outage of a dependency and wait before the same messages are tried again."""
        wait = min(OUTAGE_FIRST_WAIT * 2 ** (outages - 1), OUTAGE_MAX_WAIT)
        log.warning(
            "a dependency is unavailable; retrying the same messages",
            extra={
                "group": self.sub.group,
                "topic": first.topic,
                "partition": first.partition,
                "offset": first.offset,
                "size": size,
                "outage_retries": outages,
                "wait_seconds": wait,
                "error": repr(exc),
            },
        )
        EVENTS_CONSUMED.labels(self.sub.group, first.topic, "outage_retry").inc(size)
        await asyncio.sleep(wait)

    async def _one(self, msg: Message, envelope: Envelope) -> None:
        attempt = outages = 0
        while attempt < self.sub.max_attempts:
            try:
                await self.sub.handler([envelope])
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if is_transient(exc):
                    outages += 1
                    await self._wait_out(msg, 1, outages, exc)
                    continue
                attempt += 1
                log.warning(
                    "handler failed",
                    extra={
                        "group": self.sub.group,
                        "topic": msg.topic,
                        "attempt": attempt,
                        "event_id": envelope.id,
                        "error": repr(exc),
                    },
                )
                if attempt == self.sub.max_attempts:
                    await self._dead_letter(msg, f"handler failed {attempt} times: {exc!r}")
                    return
                await asyncio.sleep(self.sub.retry_backoff * attempt)
            else:
                EVENTS_CONSUMED.labels(self.sub.group, msg.topic, "ok").inc()
                return

    async def _dead_letter(self, msg: Message, error: str) -> None:
        log.error(
            "dead-lettering message",
            extra={
                "group": self.sub.group,
                "topic": msg.topic,
                "partition": msg.partition,
                "offset": msg.offset,
                "error": error,
            },
        )
        headers = (
            ("pacbot-error", error.encode()[:4000]),
            ("pacbot-original-topic", msg.topic.encode()),
            ("pacbot-original-partition", str(msg.partition).encode()),
            ("pacbot-original-offset", str(msg.offset).encode()),
            ("pacbot-consumer-group", self.sub.group.encode()),
        )
        await self.publish_raw(
            dead_letter_topic(msg.topic), msg.value, key=msg.key, headers=headers
        )
        EVENTS_CONSUMED.labels(self.sub.group, msg.topic, "dead_lettered").inc()


def count_published(topic: str, n: int = 1) -> None:
    """Record ``n`` published events."""
    EVENTS_PUBLISHED.labels(topic).inc(n)
