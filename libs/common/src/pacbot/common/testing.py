"""Test helpers every package may use: polling waits and sample events."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from aiokafka import AIOKafkaConsumer, TopicPartition

from pacbot.common.events import AssetDeleted, AssetSummary, Envelope, utcnow

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]],
    *,
    timeout: float = 30.0,
    interval: float = 0.1,
    what: str = "",
) -> T:
    """Poll ``probe`` until it returns something truthy; fail with the last value at ``timeout``."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or probe}; last={last!r}")


async def start_group_at_end(
    bootstrap: str, group: str, partitions: Sequence[TopicPartition]
) -> None:
    """Commit ``group``'s offsets at the end of ``partitions``: a consumer group that starts
    caught up, skipping what other runs and tests left on a shared broker."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign(list(partitions))
        await consumer.seek_to_end(*partitions)
        await consumer.commit({tp: await consumer.position(tp) for tp in partitions})
    finally:
        await consumer.stop()


def sample_event(asset_id: str = "arn:aws:s3:::sample", version: int = 1) -> Envelope:
    """A small valid event, for bus tests."""
    asset = AssetSummary(
        asset_id=asset_id,
        account_id="123456789012",
        region="us-east-1",
        resource_type="aws.s3.bucket",
        name=asset_id.rsplit(":", 1)[-1],
    )
    return Envelope.wrap(
        AssetDeleted(asset=asset, version=version, deleted_at=utcnow()),
        source="test",
        subject=asset_id,
    )
