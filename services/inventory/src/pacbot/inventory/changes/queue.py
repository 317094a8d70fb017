"""Change events from an SQS queue that an EventBridge rule (or an SNS topic) feeds.

The inventory long-polls the queue and hands every message to the same code path as
``POST /events/aws`` (parse, then re-discover). A message is deleted only once it was handled.
One that can never be handled (not JSON, not a CloudTrail-shaped event, an account that is not
onboarded) is published raw to the ``pacbot.changes.dlq`` topic, its reason in the
``pacbot-error`` header, and then deleted. One whose handling failed for any other reason (AWS or
the database unreachable) stays in the queue and is delivered again once its visibility timeout
ends, so nothing is lost; the queue's own redrive policy bounds how often.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import Counter, Histogram

from pacbot.common.events import CHANGES_SOURCE, dead_letter_topic
from pacbot.common.runtime import Runtime
from pacbot.common.web import DomainError
from pacbot.inventory.changes.parse import parse_change_event
from pacbot.inventory.changes.service import rediscover
from pacbot.inventory.discovery.planner import SweepPlanner
from pacbot.inventory.discovery.sweep import Discovery
from pacbot.inventory.settings import InventorySettings

log = logging.getLogger("pacbot.inventory.changes")

CHANGES_DEAD_LETTERS = dead_letter_topic(CHANGES_SOURCE)
MAX_BACKOFF_SECONDS = 30.0

ChangeHandler = Callable[[dict[str, Any]], Awaitable[object]]

CHANGE_MESSAGES = Counter(
    "pacbot_change_queue_messages_total",
    "Change-queue messages by outcome: handled (deleted), dead_lettered (deleted), "
    "retried (left in the queue for redelivery)",
    ["outcome"],
)
CHANGE_AGE = Histogram(
    "pacbot_change_queue_age_seconds",
    "From the message's arrival in SQS to its handling (SentTimestamp to handled)",
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900),
)


class MalformedChange(ValueError):
    """A queue message that is no change event at all; the text says why."""


def unwrap(body: str) -> dict[str, Any]:
    """The event in a message body: an EventBridge event or CloudTrail record, bare or via SNS."""
    value = _json(body, "the message")
    if (
        isinstance(value, dict)
        and value.get("Type") == "Notification"
        and isinstance(value.get("Message"), str)
    ):
        value = _json(value["Message"], "the SNS notification's Message")
    if not isinstance(value, dict):
        raise MalformedChange(f"the message is a JSON {type(value).__name__}, not an event object")
    return value


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise MalformedChange(f"{what} is not JSON: {exc}") from None


class ChangeQueue:
    """Long-polls one SQS queue in a worker thread and handles what it receives."""

    def __init__(
        self,
        runtime: Runtime,
        url: str,
        handle: ChangeHandler,
        *,
        region: str,
        wait_seconds: int = 5,
        visibility_seconds: int = 120,
        batch: int = 10,
    ) -> None:
        self.runtime = runtime
        self.url = url
        self.handle = handle
        self.region = region
        self.wait_seconds = wait_seconds
        self.visibility_seconds = visibility_seconds
        self.batch = batch
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Poll in the background until ``stop``."""
        self._task = asyncio.create_task(self._run(), name="change-queue")

    async def stop(self) -> None:
        """Stop at once; messages received but not yet handled reappear after their timeout."""
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                await self.poll_once()
            except Exception as exc:  # keep polling: SQS or the bus may come back
                failures += 1
                delay = min(MAX_BACKOFF_SECONDS, 0.5 * 2**failures)
                log.warning(
                    "change queue poll failed",
                    extra={"queue": self.url, "error": repr(exc), "retry_in": delay},
                )
                await asyncio.sleep(delay)
            else:
                failures = 0

    async def poll_once(self) -> int:
        """Receive one batch (waiting up to ``wait_seconds``), handle it; returns its size."""
        client = self.runtime.aws.client("sqs", region=self.region)
        answer = await in_daemon_thread(
            client.receive_message,
            QueueUrl=self.url,
            MaxNumberOfMessages=self.batch,
            WaitTimeSeconds=self.wait_seconds,
            VisibilityTimeout=self.visibility_seconds,
            MessageSystemAttributeNames=["ApproximateReceiveCount", "SentTimestamp"],
        )
        messages: list[dict[str, Any]] = answer.get("Messages", [])
        if not messages:
            return 0
        done = await asyncio.gather(*(self._settle(m) for m in messages))
        handled = [m for m, ok in zip(messages, done, strict=True) if ok]
        if handled:
            entries = [
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(handled)
            ]
            result = await asyncio.to_thread(
                client.delete_message_batch, QueueUrl=self.url, Entries=entries
            )
            for failed in result.get("Failed", []):
                log.warning(
                    "change message not deleted; it will be handled again",
                    extra={"queue": self.url, "error": failed.get("Message", failed)},
                )
        return len(messages)

    async def _settle(self, message: dict[str, Any]) -> bool:
        """Handle one message; True once it may be deleted (handled or dead-lettered)."""
        body = message.get("Body", "")
        try:
            await self.handle(unwrap(body))
        except (MalformedChange, DomainError) as exc:
            dead = await self._dead_letter(message, str(exc))
            CHANGE_MESSAGES.labels("dead_lettered" if dead else "retried").inc()
            return dead
        except Exception as exc:  # transient: leave it for redelivery
            CHANGE_MESSAGES.labels("retried").inc()
            log.warning(
                "change message failed; it stays in the queue",
                extra={
                    "queue": self.url,
                    "message_id": message.get("MessageId"),
                    "receive_count": message.get("Attributes", {}).get("ApproximateReceiveCount"),
                    "error": repr(exc),
                },
            )
            return False
        CHANGE_MESSAGES.labels("handled").inc()
        sent = message.get("Attributes", {}).get("SentTimestamp")
        if sent is not None and str(sent).isdigit():
            CHANGE_AGE.observe(max(0.0, time.time() - int(sent) / 1000))
        return True

    async def _dead_letter(self, message: dict[str, Any], reason: str) -> bool:
        message_id = str(message.get("MessageId", ""))
        log.error(
            "dead-lettering change message",
            extra={"queue": self.url, "message_id": message_id, "error": reason},
        )
        headers = (
            ("pacbot-error", reason.encode()[:4000]),
            ("pacbot-original-topic", CHANGES_SOURCE.encode()),
            ("pacbot-change-queue", self.url.encode()),
            ("pacbot-sqs-message-id", message_id.encode()),
        )
        try:
            await self.runtime.bus.publish_raw(
                CHANGES_DEAD_LETTERS,
                str(message.get("Body", "")).encode(),
                key=message_id or None,
                headers=headers,
            )
        except Exception as exc:  # the bus is down: keep the message for redelivery
            log.warning(
                "change message not dead-lettered; it stays in the queue",
                extra={"queue": self.url, "message_id": message_id, "error": repr(exc)},
            )
            return False
        return True


def build_change_queue(
    settings: InventorySettings, runtime: Runtime, planner: SweepPlanner, discovery: Discovery
) -> ChangeQueue | None:
    """The consumer of ``settings.change_queue_url`` (None when unset), not yet started."""
    if not settings.change_queue_url:
        return None

    async def handle(event: dict[str, Any]) -> object:
        hint = parse_change_event(event)
        async with runtime.db.session() as session:
            return await rediscover(session, planner, discovery, hint)

    return ChangeQueue(
        runtime,
        settings.change_queue_url,
        handle,
        region=settings.change_queue_region or settings.aws_region,
        wait_seconds=settings.change_queue_wait_seconds,
        visibility_seconds=settings.change_queue_visibility_seconds,
        batch=settings.change_queue_batch,
    )


async def in_daemon_thread(call: Callable[..., Any], /, **kwargs: Any) -> Any:
    """``call(**kwargs)`` in a daemon thread of its own.

    A long poll waits up to 20 s in AWS. In the loop's default executor (``asyncio.to_thread``)
    a poll in flight holds up shutdown for that long, since ``asyncio.run`` and the server wait
    for the executor's threads at exit; a daemon thread is simply abandoned, its answer unread,
    and the messages it received reappear after their visibility timeout.
    """
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[Any] = loop.create_future()

    def settle(result: Any, error: BaseException | None) -> None:
        if answer.done():  # the waiter was cancelled (stop)
            return
        if error is not None:
            answer.set_exception(error)
        else:
            answer.set_result(result)

    def work() -> None:
        try:
            result, error = call(**kwargs), None
        except BaseException as exc:  # handed to the awaiting coroutine
            result, error = None, exc
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=work, name="change-queue-poll", daemon=True).start()
    return await answer
