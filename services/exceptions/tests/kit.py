"""Helpers for the exceptions tests: identities, request bodies and the events on the bus."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pacbot.common.bus import MemoryBus
from pacbot.common.events import EXCEPTIONS_TOPIC, Envelope, ExceptionChanged
from pacbot.common.testing import as_user, eventually

PUBLIC = "aws-s3-bucket-public-access"  # judges aws.s3.bucket in the shipped pack
QUEUE_DLQ = "aws-sqs-queue-dead-letter"  # judges aws.sqs.queue
BUCKET = "arn:aws:s3:::logs"

# Callers as the gateway signs them (``SignedAs`` turns these into internal tokens).
ALICE = as_user("alice@example.com", "security")
BOB = as_user("bob@example.com", "viewer", "Security")
CAROL = as_user("carol@example.com", "viewer")
ALICE_APPROVER = as_user("alice@example.com", "security")


def in_days(days: float) -> str:
    """An ISO timestamp ``days`` from now."""
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def resource_body(**overrides: Any) -> dict[str, Any]:
    """A valid resource exception request, with ``overrides`` applied."""
    body: dict[str, Any] = {
        "kind": "resource",
        "asset_ids": [BUCKET],
        "policy_ids": [PUBLIC],
        "reason": "static website, public on purpose",
        "expires_at": in_days(7),
    }
    body.update(overrides)
    return body


def sticky_body(criteria: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    """A valid sticky exception request over ``criteria``."""
    body: dict[str, Any] = {
        "kind": "sticky",
        "criteria": criteria
        if criteria is not None
        else {"accounts": ["123456789012"], "tags": {"env": ["sandbox", "dev"]}},
        "policy_ids": [PUBLIC],
        "reason": "sandboxes may be public",
        "expires_at": in_days(30),
    }
    body.update(overrides)
    return body


def events(bus: MemoryBus) -> list[tuple[str | None, ExceptionChanged]]:
    """Every exception event on the bus so far, with its key, in order."""
    out = []
    for message in bus.messages(EXCEPTIONS_TOPIC):
        envelope = Envelope.decode(message.value)
        out.append((message.key, envelope.payload_as(ExceptionChanged)))
    return out


def event_types(bus: MemoryBus) -> list[str]:
    """The type of every exception event so far, in order."""
    return [event.event_type.removeprefix("pacbot.exception.") for _, event in events(bus)]


async def wait_for_events(bus: MemoryBus, count: int) -> list[str]:
    """The event types once ``count`` events have been relayed from the outbox."""

    async def relayed() -> list[str]:
        types = event_types(bus)
        return types if len(types) >= count else []

    return await eventually(relayed, timeout=5, what=f"{count} exception events")


def types_by_exception(bus: MemoryBus) -> dict[str, list[str]]:
    """Event types per exception id (the topic's key): the bus orders events per key only."""
    out: dict[str, list[str]] = {}
    for key, event in events(bus):
        assert key == event.exception_id
        out.setdefault(event.exception_id, []).append(event.event_type.split(".")[-1])
    return out
