"""Queries on the exceptions projection."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.events import ExceptionChanged
from pacbot.violations.models import ExceptionProjection, as_utc


async def record_exception(session: AsyncSession, event: ExceptionChanged, *, active: bool) -> bool:
    """Apply an exception event to the projection; False when an older event arrives late."""
    row = await session.get(ExceptionProjection, event.exception_id)
    if row is None:
        session.add(
            ExceptionProjection(
                exception_id=event.exception_id,
                kind=event.kind,
                asset_ids=list(event.asset_ids),
                policy_ids=list(event.policy_ids),
                expires_at=event.expires_at,
                active=active,
                changed_at=event.occurred_at,
            )
        )
        return True
    if as_utc(row.changed_at) > event.occurred_at or (not row.active and active):
        return False
    row.active = active
    row.expires_at = event.expires_at
    row.changed_at = event.occurred_at
    return True


async def covering_exception(
    session: AsyncSession,
    asset_id: str,
    policy_id: str,
    at: datetime,
    *,
    excluding: str | None = None,
) -> str | None:
    """The id of an active exception unexpired at ``at`` that covers this (asset, policy)."""
    rows = (
        await session.scalars(
            select(ExceptionProjection).where(ExceptionProjection.active.is_(True))
        )
    ).all()
    covering = [
        row
        for row in rows
        if row.exception_id != excluding
        and asset_id in row.asset_ids
        and policy_id in row.policy_ids
        and as_utc(row.expires_at) > at
    ]
    if not covering:
        return None
    return max(covering, key=lambda r: (as_utc(r.expires_at), r.exception_id)).exception_id
