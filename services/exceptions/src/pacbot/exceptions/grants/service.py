"""The exception workflow: request, approve or reject, revoke, warn and expire.

Every transition writes a history step and emits an event through the outbox in the same
transaction, and (``notices``) enqueues the notification of the step there too. Only
``granted`` makes an exception take effect downstream.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.events import (
    EXCEPTIONS_TOPIC,
    Envelope,
    ExceptionChanged,
    ExceptionCriteria,
    ExceptionEventType,
)
from pacbot.common.outbox import Outbox
from pacbot.common.web import Conflict, NotFound
from pacbot.exceptions.grants import repository
from pacbot.exceptions.grants.identity import Actor, Forbidden
from pacbot.exceptions.grants.notices import Notices
from pacbot.exceptions.grants.validation import ValidRequest
from pacbot.exceptions.models import ExceptionHistory, ExceptionPolicy, PolicyException

Step = Literal["requested", "granted", "rejected", "revoked", "expiring_soon", "expired"]
_EVENT_TYPES: dict[Step, ExceptionEventType] = {
    "requested": "pacbot.exception.requested",
    "granted": "pacbot.exception.granted",
    "rejected": "pacbot.exception.rejected",
    "revoked": "pacbot.exception.revoked",
    "expiring_soon": "pacbot.exception.expiring_soon",
    "expired": "pacbot.exception.expired",
}
_HISTORY_ACTIONS: dict[Step, str] = {"granted": "approved"}


async def request(
    session: AsyncSession,
    outbox: Outbox,
    valid: ValidRequest,
    *,
    requester: str,
    now: datetime,
    notices: Notices | None = None,
) -> PolicyException:
    """Record a pending exception and announce the request; nothing is exempt yet."""
    record = PolicyException(
        exception_id=f"ex-{uuid.uuid4().hex[:20]}",
        kind=valid.kind,
        asset_ids=valid.asset_ids,
        policy_ids=valid.policy_ids,
        criteria=valid.criteria.model_dump() if valid.criteria is not None else None,
        reason=valid.reason,
        requester=requester,
        status="pending",
        expires_at=valid.expires_at,
        created_at=now,
    )
    session.add(record)
    await session.flush()  # the row exists before the rows that refer to it
    session.add_all(
        ExceptionPolicy(exception_id=record.exception_id, policy_id=policy_id)
        for policy_id in valid.policy_ids
    )
    await _step(session, outbox, record, "requested", now, actor=requester, notices=notices)
    return record


def _still_pending(record: PolicyException, now: datetime) -> None:
    exception_id = record.exception_id
    if record.status != "pending":
        raise Conflict(f"exception {exception_id} is {record.status}, not pending", field="status")
    if record.expires_at <= now:
        raise Conflict(f"exception {exception_id} expired before a decision", field="expires_at")


def same_user(one: str, other: str) -> bool:
    """User names compare case-insensitively (``Alice@x`` is ``alice@x``)."""
    return one.casefold() == other.casefold()


def _decider(actor: Actor, record: PolicyException, approver_role: str, verb: str) -> None:
    if not actor.has_role(approver_role):
        raise Forbidden(
            f"only a user with the {approver_role!r} role may {verb} an exception; "
            f"{actor.user} does not hold it",
            field="roles",
        )
    if same_user(actor.user, record.requester):
        raise Forbidden(
            f"{actor.user} requested exception {record.exception_id} and cannot {verb} it; "
            "another approver must decide",
            field="requester",
        )


Verdict = Literal["granted", "rejected"]


async def decide(
    session: AsyncSession,
    outbox: Outbox,
    exception_id: str,
    verdict: Verdict,
    *,
    actor: Actor,
    approver_role: str,
    note: str | None,
    now: datetime,
    notices: Notices | None = None,
) -> PolicyException:
    """Grant a pending exception (it takes effect once applied downstream) or reject it."""
    record = await _existing(session, exception_id)
    _decider(actor, record, approver_role, "approve" if verdict == "granted" else "reject")
    _still_pending(record, now)
    record.status = "active" if verdict == "granted" else "rejected"
    record.approver = actor.user
    record.decided_at = now
    record.decision_reason = note
    await _step(
        session, outbox, record, verdict, now, actor=actor.user, detail=note, notices=notices
    )
    return record


async def revoke(
    session: AsyncSession,
    outbox: Outbox,
    exception_id: str,
    *,
    actor: Actor,
    approver_role: str,
    note: str | None,
    now: datetime,
) -> PolicyException:
    """End a pending or active exception now: its requester (withdrawing) or an approver."""
    record = await _existing(session, exception_id)
    if not same_user(actor.user, record.requester) and not actor.has_role(approver_role):
        raise Forbidden(
            f"only the requester or a user with the {approver_role!r} role may revoke "
            f"exception {exception_id}",
            field="roles",
        )
    if record.status not in repository.IN_FORCE:
        raise Conflict(
            f"exception {exception_id} is {record.status}; only pending or active ones can be "
            "revoked",
            field="status",
        )
    record.status = "revoked"
    record.revoked_at = now
    record.revoked_by = actor.user
    record.revoke_reason = note
    await _step(session, outbox, record, "revoked", now, actor=actor.user, detail=note)
    return record


async def expire_due(session: AsyncSession, outbox: Outbox, now: datetime) -> int:
    """Mark every pending or active exception past its expiry as expired; returns how many."""
    due = await repository.due_for_expiry(session, now)
    for record in due:
        was = record.status
        record.status = "expired"
        detail = "expired before a decision" if was == "pending" else None
        await _step(session, outbox, record, "expired", now, detail=detail)
    return len(due)


async def warn_expiring(
    session: AsyncSession,
    outbox: Outbox,
    now: datetime,
    days: float,
    notices: Notices | None = None,
) -> int:
    """Announce, once each, active exceptions that end within ``days``; returns how many."""
    if days <= 0:
        return 0
    due = await repository.due_for_warning(session, now, now + timedelta(days=days))
    for record in due:
        record.expiring_soon_sent_at = now
        detail = f"expires at {record.expires_at.isoformat()}"
        await _step(session, outbox, record, "expiring_soon", now, detail=detail, notices=notices)
    return len(due)


async def _existing(session: AsyncSession, exception_id: str) -> PolicyException:
    record = await repository.get_for_update(session, exception_id)
    if record is None:
        raise NotFound(f"exception {exception_id} not found", field="exception_id")
    return record


async def _step(
    session: AsyncSession,
    outbox: Outbox,
    record: PolicyException,
    step: Step,
    now: datetime,
    *,
    actor: str | None = None,
    detail: str | None = None,
    notices: Notices | None = None,
) -> None:
    """Write the history step, emit ``pacbot.exception.<step>`` and enqueue its notification,
    all in this transaction."""
    session.add(
        ExceptionHistory(
            exception_id=record.exception_id,
            at=now,
            action=_HISTORY_ACTIONS.get(step, step),
            actor=actor,
            detail=detail,
        )
    )
    event = ExceptionChanged(
        event_type=_EVENT_TYPES[step],
        exception_id=record.exception_id,
        kind="sticky" if record.kind == "sticky" else "resource",
        asset_ids=list(record.asset_ids),
        policy_ids=list(record.policy_ids),
        criteria=ExceptionCriteria.model_validate(record.criteria) if record.criteria else None,
        reason=record.reason,
        requester=record.requester,
        approver=record.approver,
        expires_at=record.expires_at,
        occurred_at=now,
    )
    envelope = Envelope.wrap(event, source=outbox.source, subject=record.exception_id)
    await outbox.add(session, EXCEPTIONS_TOPIC, envelope, key=record.exception_id)
    if notices is not None:
        await notices.announce(session, record, step, actor=actor, detail=detail)
