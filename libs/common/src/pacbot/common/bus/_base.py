"""The bus contract: publish keyed events, consume per group with retry and dead-lettering."""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from pacbot.common.events import Envelope, EventDecodeError, dead_letter_topic
from pacbot.common.metrics import EVENTS_CONSUMED, EVENTS_PUBLISHED

log = logging.getLogger("pacbot.bus")

Handler = Callable[[Envelope], Awaitable[None]]


@dataclass(frozen=True)
class Message:
    """One record as a consumer sees it."""

    topic: str
    partition: int
    offset: int
    key: str | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = ()


@dataclass
class Subscription:
    """A handler bound to topics under a consumer group."""

    topics: tuple[str, ...]
    group: str
    handler: Handler
    max_attempts: int = 3
    retry_backoff: float = 0.2


def partition_for(key: str | None, partitions: int) -> int:
    """Stable key → partition mapping, so one key's events stay ordered."""
    if key is None:
        return 0
    return zlib.crc32(key.encode()) % partitions


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
    def subscribe(
        self, topics: Sequence[str], group: str, handler: Handler, *, max_attempts: int = 3
    ) -> None: ...
    async def ping(self) -> bool: ...


@dataclass
class Delivery:
    """Runs one message through a subscription: decode, retry, dead-letter. Never raises."""

    sub: Subscription
    publish_raw: Callable[..., Awaitable[None]]
    attempts_seen: dict[str, int] = field(default_factory=dict)

    async def __call__(self, msg: Message) -> None:
        try:
            envelope = Envelope.decode(msg.value)
        except EventDecodeError as exc:
            await self._dead_letter(msg, f"undecodable: {exc}")
            return
        for attempt in range(1, self.sub.max_attempts + 1):
            try:
                await self.sub.handler(envelope)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
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


def count_published(topic: str) -> None:
    """Record one published event."""
    EVENTS_PUBLISHED.labels(topic).inc()
