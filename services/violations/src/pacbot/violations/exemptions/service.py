"""What exception grants, revocations and expiries do to violations."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.events import ExceptionChanged
from pacbot.violations.exemptions.repository import covering_exception, record_exception
from pacbot.violations.lifecycle.transitions import Transitions
from pacbot.violations.models import ViolationRow
from pacbot.violations.results.repository import get_result


async def apply_exception(
    session: AsyncSession, transitions: Transitions, event: ExceptionChanged
) -> None:
    """Grant exempts matching open violations; revoke/expiry re-opens or closes what it exempted."""
    granted = event.event_type == "pacbot.exception.granted"
    if not await record_exception(session, event, active=granted):
        return
    if granted:
        await _exempt_matching(session, transitions, event)
    else:
        await _end_exemptions(session, transitions, event)


async def _exempt_matching(
    session: AsyncSession, transitions: Transitions, event: ExceptionChanged
) -> None:
    if event.expires_at <= event.occurred_at or not event.asset_ids or not event.policy_ids:
        return
    rows = (
        await session.scalars(
            select(ViolationRow)
            .where(
                ViolationRow.status == "open",
                ViolationRow.asset_id.in_(event.asset_ids),
                ViolationRow.policy_id.in_(event.policy_ids),
            )
            .order_by(ViolationRow.violation_id)
        )
    ).all()
    for row in rows:
        await transitions.exempt(session, row, event.occurred_at, event.exception_id)


async def _end_exemptions(
    session: AsyncSession, transitions: Transitions, event: ExceptionChanged
) -> None:
    at = event.occurred_at
    rows = (
        await session.scalars(
            select(ViolationRow)
            .where(
                ViolationRow.status == "exempted",
                ViolationRow.exception_id == event.exception_id,
            )
            .order_by(ViolationRow.violation_id)
        )
    ).all()
    for row in rows:
        other = await covering_exception(
            session, row.asset_id, row.policy_id, at, excluding=event.exception_id
        )
        if other is not None:
            await transitions.exempt(session, row, at, other)
            continue
        latest = await get_result(session, row.asset_id, row.policy_id)
        if latest is not None and latest.status == "pass":
            await transitions.close(session, row, at, "fixed")
        else:
            await transitions.open(session, row, at, reopen=True)
