"""State changes of one violation: each keeps its episode, appends to its timeline and stages
its event (with the violation's next sequence number) in the caller's transaction."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Literal, TypeVar

from pydantic import BaseModel
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
from pacbot.violations.models import ViolationEpisode, ViolationRow, as_utc
from pacbot.violations.results.repository import asset_columns, assign, new_row

Model = TypeVar("Model", bound=BaseModel)

TIMELINE_LIMIT = 50
CloseReason = Literal["fixed", "asset_deleted", "policy_disabled", "policy_removed"]
NEW = "new"  # the status of a row no transition has touched yet (never stored)
EPISODE_COLUMNS = (  # what an episode copies from its violation, for the read side's breakdowns
    "violation_id",
    "policy_id",
    "account_id",
    "region",
    "resource_type",
    "severity",
    "category",
)


def violation_id(asset_id: str, policy_id: str) -> str:
    """Deterministic, so replays and re-opens keep the same id."""
    return "v-" + hashlib.sha256(f"{asset_id}|{policy_id}".encode()).hexdigest()[:20]


def new_violation(
    asset: AssetSummary,
    policy: PolicyRef,
    reason: str,
    version: int,
    at: datetime,
    columns: dict[str, Any] | None = None,
) -> ViolationRow:
    """A violation row for a first failure (state is set by ``open`` or ``exempt``)."""
    return new_row(
        ViolationRow,
        {
            "violation_id": violation_id(asset.asset_id, policy.policy_id),
            "asset_id": asset.asset_id,
            "policy_id": policy.policy_id,
            "status": NEW,
            "episode": 0,
            "sequence": 0,
            "opened_at": at,
            "updated_at": at,
            "timeline": [],
            **refreshed(asset, policy, reason, version, columns),
        },
    )


def refresh(
    row: ViolationRow,
    asset: AssetSummary,
    policy: PolicyRef,
    reason: str,
    version: int,
    columns: dict[str, Any] | None = None,
) -> None:
    """Carry the latest asset summary, policy ref and reason without changing state
    (``columns``: :func:`asset_columns` of ``asset``, if already built)."""
    assign(row, refreshed(asset, policy, reason, version, columns))


def refreshed(
    asset: AssetSummary,
    policy: PolicyRef,
    reason: str,
    version: int,
    columns: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What :func:`refresh` sets."""
    return {
        **(columns if columns is not None else asset_columns(asset)),
        "policy_name": policy.name,
        "severity": policy.severity,
        "category": policy.category,
        "policy": policy.model_dump(mode="json"),
        "reason": reason,
        "asset_version": version,
    }


def bounded(timeline: list[dict[str, str]]) -> list[dict[str, str]]:
    """The first entry (how it all began) and the most recent ones, at most TIMELINE_LIMIT."""
    if len(timeline) <= TIMELINE_LIMIT:
        return timeline
    return [timeline[0], *timeline[-(TIMELINE_LIMIT - 1) :]]


class Transitions:
    """Applies transitions and stages their events in the caller's transaction.

    One instance serves one transaction: the events are kept in order and written to the
    outbox with one INSERT by :meth:`stage`, which the handler awaits before it returns.
    """

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox
        self._events: list[tuple[str, Envelope]] = []
        # summaries validated from a row's JSON, by the JSON object's identity (held, so an id
        # is never reused): the rows of one evaluation share theirs, validated once
        self._assets: dict[int, tuple[Any, AssetSummary]] = {}
        self._policies: dict[int, tuple[Any, PolicyRef]] = {}

    def asset_of(self, row: ViolationRow) -> AssetSummary:
        """The row's asset summary (validated once per JSON object)."""
        return _validated_once(self._assets, row.asset, AssetSummary)

    def policy_of(self, row: ViolationRow) -> PolicyRef:
        """The row's policy ref (validated once per JSON object)."""
        return _validated_once(self._policies, row.policy, PolicyRef)

    async def stage(self, session: AsyncSession) -> None:
        """Write the events of the transitions made so far to the outbox, in order."""
        events, self._events = self._events, []
        await self.outbox.add_many(session, VIOLATIONS_TOPIC, events)

    async def open(self, session: AsyncSession, row: ViolationRow, at: datetime) -> None:
        """Open a new violation, re-open a closed one (next episode) or end its exemption."""
        previous = row.status
        if previous == "open":
            return
        if previous == "exempted":
            event: ViolationEventType = "pacbot.violation.reopened"
            detail = f"still failing: {row.reason}"
        elif previous == NEW:
            event, detail = "pacbot.violation.opened", row.reason
            self._start_episode(session, row, at)
        else:
            event = "pacbot.violation.reopened"
            self._start_episode(session, row, at)
            detail = f"episode {row.episode}: {row.reason}"
        row.status, row.close_reason, row.exception_id, row.closed_at = "open", None, None, None
        await self._record(session, row, at, event, detail)

    async def exempt(
        self, session: AsyncSession, row: ViolationRow, at: datetime, exception_id: str
    ) -> None:
        """Exempt under ``exception_id``; a new or closed violation starts an episode exempted."""
        if row.status == "exempted" and row.exception_id == exception_id:
            return
        if row.status in (NEW, "closed"):
            self._start_episode(session, row, at)
        row.status, row.close_reason, row.exception_id, row.closed_at = (
            "exempted",
            None,
            exception_id,
            None,
        )
        await self._record(
            session, row, at, "pacbot.violation.exempted", f"by exception {exception_id}"
        )

    async def close(
        self,
        session: AsyncSession,
        row: ViolationRow,
        at: datetime,
        reason: CloseReason,
        detail: str = "",
    ) -> None:
        """Close a live violation for ``reason`` and end its episode."""
        if row.status not in ("open", "exempted"):
            return
        at = max(at, as_utc(row.opened_at))
        row.status, row.close_reason, row.exception_id, row.closed_at = "closed", reason, None, at
        episode = await session.get(ViolationEpisode, (row.violation_id, row.episode))
        if episode is not None:
            episode.closed_at, episode.close_reason = at, reason
        text = reason.replace("_", " ")
        await self._record(
            session, row, at, "pacbot.violation.closed", f"{text}: {detail}" if detail else text
        )

    def remind(self, row: ViolationRow, at: datetime, detail: str) -> None:
        """Note that the owner was told about the violation (no state change, no event)."""
        self._note(row, at, "reminded", detail)

    def unexempt(self, row: ViolationRow, at: datetime, why: str) -> None:
        """Note on the timeline that the exemption ended (``open``/``exempt``/``close`` follows)."""
        self._note(row, at, "unexempted", f"exception {row.exception_id} {why}")

    def _start_episode(self, session: AsyncSession, row: ViolationRow, at: datetime) -> None:
        row.episode += 1
        row.opened_at = at
        copied = {name: getattr(row, name) for name in EPISODE_COLUMNS}
        session.add(new_row(ViolationEpisode, {**copied, "episode": row.episode, "opened_at": at}))

    @staticmethod
    def _note(row: ViolationRow, at: datetime, event: str, detail: str) -> None:
        entry = {"at": at.isoformat(), "event": event, "detail": detail}
        row.timeline = bounded([*row.timeline, entry])

    async def _record(
        self,
        session: AsyncSession,
        row: ViolationRow,
        at: datetime,
        event_type: ViolationEventType,
        detail: str,
    ) -> None:
        row.updated_at = at
        row.sequence += 1
        self._note(row, at, event_type.rsplit(".", 1)[-1], detail)
        if row not in session:
            session.add(row)
        changed = ViolationChanged(
            event_type=event_type,
            violation_id=row.violation_id,
            asset=self.asset_of(row),
            policy=self.policy_of(row),
            status=row.status,
            reason=row.reason,
            close_reason=row.close_reason,
            exception_id=row.exception_id,
            asset_version=row.asset_version,
            episode=row.episode,
            sequence=row.sequence,
            occurred_at=at,
        )
        envelope = Envelope.wrap(changed, source=self.outbox.source, subject=row.violation_id)
        self._events.append((row.violation_id, envelope))


def _validated_once(cache: dict[int, tuple[Any, Model]], data: Any, model: type[Model]) -> Model:
    """``data`` validated as ``model``, once per JSON object (the cache holds the object, so its
    id is never reused while cached)."""
    found = cache.get(id(data))
    if found is None or found[0] is not data:
        found = cache[id(data)] = (data, model.model_validate(data))
    return found[1]
