"""State changes of one violation; each records a timeline entry and stages its event."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.events import (
    VIOLATIONS_TOPIC,
    AssetSummary,
    Envelope,
    PolicyRef,
    ViolationChanged,
    ViolationEventType,
)
from pacbot.common.outbox import Outbox
from pacbot.violations.models import ViolationRow

TIMELINE_LIMIT = 50
CloseReason = Literal["fixed", "asset_deleted", "policy_disabled"]


def violation_id(asset_id: str, policy_id: str) -> str:
    """Deterministic, so replays and re-opens keep the same id."""
    return "v-" + hashlib.sha256(f"{asset_id}|{policy_id}".encode()).hexdigest()[:20]


def new_violation(
    asset: AssetSummary, policy: PolicyRef, reason: str, version: int, at: datetime
) -> ViolationRow:
    """A violation row for a first failure (state is set by ``open`` or ``exempt``)."""
    row = ViolationRow(
        violation_id=violation_id(asset.asset_id, policy.policy_id),
        asset_id=asset.asset_id,
        policy_id=policy.policy_id,
        status="open",
        episode=1,
        opened_at=at,
        updated_at=at,
        timeline=[],
    )
    refresh(row, asset, policy, reason, version)
    return row


def refresh(
    row: ViolationRow, asset: AssetSummary, policy: PolicyRef, reason: str, version: int
) -> None:
    """Carry the latest asset summary, policy ref and reason without changing state."""
    row.account_id = asset.account_id
    row.region = asset.region
    row.resource_type = asset.resource_type
    row.asset_name = asset.name
    row.owner = asset.owner
    row.tags = dict(asset.tags)
    row.asset = asset.model_dump(mode="json")
    row.policy_name = policy.name
    row.severity = policy.severity
    row.category = policy.category
    row.policy = policy.model_dump(mode="json")
    row.reason = reason
    row.asset_version = version


class Transitions:
    """Applies transitions and stages their events in the caller's transaction."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    async def open(
        self, session: AsyncSession, row: ViolationRow, at: datetime, *, reopen: bool
    ) -> None:
        """Open a new violation, re-open a closed one (next episode) or end an exemption."""
        if row.status == "closed":
            row.episode += 1
            row.opened_at = at
        row.status, row.close_reason, row.exception_id, row.closed_at = "open", None, None, None
        event: ViolationEventType = (
            "pacbot.violation.reopened" if reopen else "pacbot.violation.opened"
        )
        await self._record(session, row, at, event, row.reason)

    async def exempt(
        self, session: AsyncSession, row: ViolationRow, at: datetime, exception_id: str
    ) -> None:
        """Exempt the violation under ``exception_id`` (a closed one starts a new episode)."""
        if row.status == "closed":
            row.episode += 1
            row.opened_at = at
        row.status, row.close_reason, row.exception_id, row.closed_at = (
            "exempted",
            None,
            exception_id,
            None,
        )
        await self._record(
            session, row, at, "pacbot.violation.exempted", f"exception {exception_id}"
        )

    async def close(
        self, session: AsyncSession, row: ViolationRow, at: datetime, reason: CloseReason
    ) -> None:
        """Close the violation for ``reason``."""
        row.status, row.close_reason, row.exception_id, row.closed_at = "closed", reason, None, at
        await self._record(session, row, at, "pacbot.violation.closed", reason)

    async def _record(
        self,
        session: AsyncSession,
        row: ViolationRow,
        at: datetime,
        event_type: ViolationEventType,
        detail: str,
    ) -> None:
        row.updated_at = at
        entry = {"at": at.isoformat(), "event": event_type.rsplit(".", 1)[-1], "detail": detail}
        row.timeline = [*row.timeline, entry][-TIMELINE_LIMIT:]
        if row not in session:
            session.add(row)
        changed = ViolationChanged(
            event_type=event_type,
            violation_id=row.violation_id,
            asset=AssetSummary.model_validate(row.asset),
            policy=PolicyRef.model_validate(row.policy),
            status=row.status,
            reason=row.reason,
            close_reason=row.close_reason,
            exception_id=row.exception_id,
            asset_version=row.asset_version,
            episode=row.episode,
            occurred_at=at,
        )
        envelope = Envelope.wrap(changed, source=self.outbox.source, subject=row.violation_id)
        await self.outbox.add(session, VIOLATIONS_TOPIC, envelope, key=row.violation_id)
