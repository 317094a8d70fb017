"""Granting, revoking and expiring exceptions; every change emits an event through the outbox."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.events import EXCEPTIONS_TOPIC, Envelope, ExceptionChanged, ExceptionEventType
from pacbot.common.outbox import Outbox
from pacbot.common.web import Conflict, DomainError, NotFound
from pacbot.exceptions.grants import repository
from pacbot.exceptions.grants.schemas import ExceptionRequest
from pacbot.exceptions.models import PolicyException


def invalid(message: str, field: str) -> DomainError:
    """A 422 that names the offending field."""
    return DomainError(message, field=field, status_code=422)


def _ids(values: list[str], field: str) -> list[str]:
    cleaned = [value.strip() for value in values]
    if not cleaned:
        raise invalid(f"{field} must name at least one id", field)
    if any(not value for value in cleaned):
        raise invalid(f"{field} must not contain blank ids", field)
    return list(dict.fromkeys(cleaned))


def _text(value: str, field: str) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise invalid(f"{field} must not be blank", field)
    return cleaned


def _expiry(expires_at: datetime, *, now: datetime, max_days: int) -> datetime:
    moment = expires_at if expires_at.tzinfo else expires_at.replace(tzinfo=UTC)
    if moment <= now:
        raise invalid("expires_at must be in the future", "expires_at")
    if moment > now + timedelta(days=max_days):
        raise invalid(f"expires_at must be within {max_days} days", "expires_at")
    return moment.astimezone(UTC)


async def grant(
    session: AsyncSession,
    outbox: Outbox,
    request: ExceptionRequest,
    *,
    max_days: int,
    now: datetime,
) -> PolicyException:
    """Validate and record a resource exception, and announce it."""
    record = PolicyException(
        exception_id=f"ex-{uuid.uuid4().hex[:20]}",
        kind="resource",
        asset_ids=_ids(request.asset_ids, "asset_ids"),
        policy_ids=_ids(request.policy_ids, "policy_ids"),
        reason=_text(request.reason, "reason"),
        requester=_text(request.requester, "requester"),
        status="active",
        expires_at=_expiry(request.expires_at, now=now, max_days=max_days),
        created_at=now,
    )
    session.add(record)
    await _emit(session, outbox, record, "pacbot.exception.granted", now)
    return record


async def revoke(
    session: AsyncSession,
    outbox: Outbox,
    exception_id: str,
    *,
    by: str,
    reason: str | None,
    now: datetime,
) -> PolicyException:
    """End an active exception early; anything but an active one is a conflict."""
    record = await repository.get(session, exception_id)
    if record is None:
        raise NotFound(f"exception {exception_id} not found", field="exception_id")
    if record.status != "active":
        raise Conflict(f"exception {exception_id} is {record.status}, not active", field="status")
    record.status = "revoked"
    record.revoked_at = now
    record.revoked_by = _text(by, "by")
    record.revoke_reason = reason.strip() if reason and reason.strip() else None
    await _emit(session, outbox, record, "pacbot.exception.revoked", now)
    return record


async def expire_due(session: AsyncSession, outbox: Outbox, now: datetime) -> int:
    """Mark every active exception past its expiry as expired; returns how many."""
    due = await repository.due_for_expiry(session, now)
    for record in due:
        record.status = "expired"
        await _emit(session, outbox, record, "pacbot.exception.expired", now)
    return len(due)


async def _emit(
    session: AsyncSession,
    outbox: Outbox,
    record: PolicyException,
    event_type: ExceptionEventType,
    now: datetime,
) -> None:
    event = ExceptionChanged(
        event_type=event_type,
        exception_id=record.exception_id,
        kind="resource",
        asset_ids=list(record.asset_ids),
        policy_ids=list(record.policy_ids),
        reason=record.reason,
        requester=record.requester,
        expires_at=record.expires_at,
        occurred_at=now,
    )
    envelope = Envelope.wrap(event, source=outbox.source, subject=record.exception_id)
    await outbox.add(session, EXCEPTIONS_TOPIC, envelope, key=record.exception_id)
