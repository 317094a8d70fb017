"""What exception grants, revocations and expiries do to violations, and which exception
exempts a failing violation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.coverage import event_covers
from pacbot.common.events import ALL_POLICIES, AssetSummary, ExceptionChanged
from pacbot.violations.exemptions.repository import (
    ENDED,
    GRANTED,
    Coverage,
    coverage_for,
    record_exception,
)
from pacbot.violations.lifecycle.transitions import Transitions
from pacbot.violations.models import ViolationRow
from pacbot.violations.results.repository import get_result


async def settle_failing(
    session: AsyncSession,
    transitions: Transitions,
    row: ViolationRow,
    coverage: Coverage,
    at: datetime,
    *,
    ended: str = "",
) -> None:
    """A failing violation is exempted by the canonical covering exception, else open.

    ``ended`` says why its current exception stopped applying (revoked / expired), if it did.
    """
    asset = transitions.asset_of(row)
    chosen = coverage.covering(asset, row.policy_id, at)
    current = row.exception_id if row.status == "exempted" else None
    if current is not None and chosen != current:
        if ended:
            why = ended
        elif chosen is not None and coverage.still_covers(current, asset, row.policy_id, at):
            why = f"superseded by {chosen}, which lasts longer"
        else:
            why = "no longer covers it"
        transitions.unexempt(row, at, why)
    if chosen is not None:
        await transitions.exempt(session, row, at, chosen)
    else:
        await transitions.open(session, row, at)


async def apply_exception(
    session: AsyncSession, transitions: Transitions, event: ExceptionChanged
) -> None:
    """A grant exempts every matching open violation; an end re-opens or hands over its own."""
    if not await record_exception(session, event):
        return
    if event.event_type == GRANTED:
        await _exempt_matching(session, transitions, event)
    else:
        await _end_exemptions(session, transitions, event, ENDED[event.event_type])


def _candidates(event: ExceptionChanged) -> list[ColumnElement[bool]]:
    """SQL pre-filters implied by the exception; ``event_covers`` has the final word."""
    clauses: list[ColumnElement[bool]] = [ViolationRow.status.in_(("open", "exempted"))]
    if ALL_POLICIES not in event.policy_ids:
        clauses.append(ViolationRow.policy_id.in_(event.policy_ids))
    if event.kind == "resource":
        clauses.append(ViolationRow.asset_id.in_(event.asset_ids))
    elif event.criteria is not None:
        criteria = event.criteria
        for column, values in (
            (ViolationRow.account_id, criteria.accounts),
            (ViolationRow.region, criteria.regions),
            (ViolationRow.resource_type, criteria.resource_types),
        ):
            if values:
                clauses.append(column.in_(values))
    return clauses


async def _exempt_matching(
    session: AsyncSession, transitions: Transitions, event: ExceptionChanged
) -> None:
    """Open matching violations become exempted (exempted ones move only if it lasts longer)."""
    at = event.occurred_at
    if event.expires_at <= at or not event.policy_ids:
        return
    if (event.kind == "resource" and not event.asset_ids) or (
        event.kind == "sticky" and event.criteria is None
    ):
        return
    rows = [
        row
        for row in (
            await session.scalars(
                select(ViolationRow)
                .where(*_candidates(event))
                .order_by(ViolationRow.violation_id)
                .with_for_update()
            )
        ).all()
        if event_covers(event, AssetSummary.model_validate(row.asset), row.policy_id)
    ]
    if rows:
        coverage = await coverage_for(session, {row.asset_id for row in rows})
        for row in rows:
            await settle_failing(session, transitions, row, coverage, at)


async def _end_exemptions(
    session: AsyncSession, transitions: Transitions, event: ExceptionChanged, why: str
) -> None:
    """Another covering exception takes over; else a passing one closes, a failing one re-opens."""
    at = event.occurred_at
    rows = (
        await session.scalars(
            select(ViolationRow)
            .where(
                ViolationRow.status == "exempted",
                ViolationRow.exception_id == event.exception_id,
            )
            .order_by(ViolationRow.violation_id)
            .with_for_update()
        )
    ).all()
    if not rows:
        return
    coverage = await coverage_for(session, {row.asset_id for row in rows})
    for row in rows:
        latest = await get_result(session, row.asset_id, row.policy_id)
        if latest is not None and latest.status == "pass":
            transitions.unexempt(row, at, why)
            await transitions.close(session, row, at, "fixed", latest.reason)
        else:
            await settle_failing(session, transitions, row, coverage, at, ended=why)
