"""An in-process bus with Kafka's semantics: partitions by key, per-group offsets, at-least-once."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Sequence

from pacbot.common.bus._base import (
    Delivery,
    Message,
    Outgoing,
    Subscribing,
    Subscription,
    count_published,
    partition_for,
)
from pacbot.common.events import Envelope


class MemoryBus(Subscribing):
    """Topics live in lists; each consumer group keeps its own committed offsets."""

    retry_backoff = 0.01

    def __init__(self, partitions: int = 3) -> None:
        self.partitions = partitions
        self._log: dict[str, list[list[Message]]] = {}
        self._subs: list[Subscription] = []
        self._committed: dict[tuple[str, str, int], int] = defaultdict(int)
        self._tasks: list[asyncio.Task[None]] = []
        self._changed = asyncio.Event()
        self._busy = 0
        self._running = False

    def _topic(self, topic: str) -> list[list[Message]]:
        if topic not in self._log:
            self._log[topic] = [[] for _ in range(self.partitions)]
        return self._log[topic]

    async def ensure_topics(self, topics: Sequence[str]) -> None:
        """Create topics that do not exist yet."""
        for topic in topics:
            self._topic(topic)

    async def publish(self, topic: str, envelope: Envelope, *, key: str) -> None:
        """Append an event to the key's partition."""
        await self.publish_raw(topic, envelope.encode(), key=key)

    async def publish_raw(
        self,
        topic: str,
        value: bytes,
        *,
        key: str | None = None,
        headers: Sequence[tuple[str, bytes]] = (),
    ) -> None:
        """Append raw bytes, exactly as a Kafka producer would."""
        idx = partition_for(key, self.partitions)
        partition = self._topic(topic)[idx]
        partition.append(Message(topic, idx, len(partition), key, value, tuple(headers)))
        count_published(topic)
        self._changed.set()

    async def publish_many(self, records: Sequence[Outgoing]) -> None:
        """Append every record, in order."""
        for record in records:
            await self.publish_raw(record.topic, record.value, key=record.key)

    def messages(self, topic: str) -> list[Message]:
        """Every message of a topic, partition by partition (for tests and the demo)."""
        return [m for part in self._topic(topic) for m in part]

    def _add(self, sub: Subscription) -> None:
        """It consumes from ``start()``, or at once if the bus is running."""
        self._subs.append(sub)
        if self._running:
            self._tasks.append(asyncio.create_task(self._consume(sub)))

    async def start(self) -> None:
        """Start one consumer task per subscription."""
        self._running = True
        self._tasks = [asyncio.create_task(self._consume(sub)) for sub in self._subs]

    async def stop(self) -> None:
        """Cancel the consumers; committed offsets survive for a restart."""
        self._running = False
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def ping(self) -> bool:
        """Always reachable."""
        return True

    async def _consume(self, sub: Subscription) -> None:
        deliver = Delivery(sub, self.publish_raw)
        while True:
            self._changed.clear()
            progressed = False
            for topic in sub.topics:
                for idx, partition in enumerate(self._topic(topic)):
                    cursor = (sub.group, topic, idx)
                    while self._committed[cursor] < len(partition):
                        start = self._committed[cursor]
                        batch = partition[start : start + sub.max_batch]
                        self._busy += 1
                        try:
                            await deliver(batch)
                            self._committed[cursor] = start + len(batch)
                        finally:
                            self._busy -= 1
                        progressed = True
            if not progressed:
                await self._changed.wait()

    def lag(self) -> int:
        """Messages published but not yet committed by every subscribed group."""
        total = 0
        for sub in self._subs:
            for topic in sub.topics:
                for idx, partition in enumerate(self._topic(topic)):
                    total += len(partition) - self._committed[(sub.group, topic, idx)]
        return total

    async def drain(self, timeout: float = 30.0) -> None:
        """Wait until every group has consumed everything published so far."""
        async with asyncio.timeout(timeout):
            while self.lag() or self._busy:  # noqa: ASYNC110 - consumers signal no "idle" event
                await asyncio.sleep(0.01)
