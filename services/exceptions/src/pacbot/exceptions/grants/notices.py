"""Who hears of an exception's steps, enqueued in the transaction of the step itself.

``requested`` goes to the approvers (``approvers_address``, else the default fallback address),
``granted`` and ``rejected`` to the requester when that is an email address, ``expiring_soon``
to the requester. Delivery happens later, in the background; ``GET /notifications`` shows it.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.notify import Notifier, Settled, is_email
from pacbot.exceptions.models import PolicyException
from pacbot.exceptions.settings import ExceptionsSettings

log = logging.getLogger("pacbot.exceptions.notices")

NOTIFIED_STEPS = ("requested", "granted", "rejected", "expiring_soon")


class Notices:
    """Turns workflow steps into notifications."""

    def __init__(self, notifier: Notifier, settings: ExceptionsSettings) -> None:
        self.notifier = notifier
        self.settings = settings

    def recipient(self, step: str, record: PolicyException) -> tuple[bool, str | None]:
        """Whether ``step`` notifies anyone, and whom (None: stored as undeliverable)."""
        if step == "requested":
            return True, self.settings.approvers()
        if step in ("granted", "rejected"):
            return is_email(record.requester), record.requester
        if step == "expiring_soon":
            return True, record.requester
        return False, None

    async def announce(
        self,
        session: AsyncSession,
        record: PolicyException,
        step: str,
        *,
        actor: str | None,
        detail: str | None,
    ) -> str | None:
        """Enqueue the notification of ``step`` (once per exception and step); its id or None."""
        wanted, recipient = self.recipient(step, record)
        if not wanted:
            return None
        return await self.notifier.enqueue(
            session,
            kind=f"exception_{step}",
            subject_ref=record.exception_id,
            recipient=recipient,
            template=f"exception_{step}",
            context=context_of(record, step, actor=actor, detail=detail),
            dedupe_key=f"exception:{record.exception_id}:{step}",
        )


def context_of(
    record: PolicyException, step: str, *, actor: str | None, detail: str | None
) -> dict[str, Any]:
    """What the templates may show about the exception."""
    return {
        "step": step,
        "exception_id": record.exception_id,
        "kind": record.kind,
        "status": record.status,
        "asset_ids": list(record.asset_ids),
        "policy_ids": list(record.policy_ids),
        "criteria": record.criteria,
        "reason": record.reason,
        "requester": record.requester,
        "approver": record.approver,
        "decision_reason": record.decision_reason,
        "expires_at": record.expires_at.isoformat(),
        "actor": actor,
        "detail": detail,
    }


async def log_outcome(session: AsyncSession, settled: Settled) -> None:
    """The settle hook: say how each notification ended (nothing else depends on it)."""
    extra = {
        "notification_id": settled.notification_id,
        "kind": settled.kind,
        "exception_id": settled.subject_ref,
        "recipient": settled.recipient,
        "status": settled.status,
        "detail": settled.detail,
    }
    if settled.status == "delivered":
        log.info("exception notification delivered", extra=extra)
    else:
        log.warning("exception notification not delivered", extra=extra)
