"""Queries over the exceptions table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.exceptions.models import PolicyException


async def get(session: AsyncSession, exception_id: str) -> PolicyException | None:
    """The exception with this id, if any."""
    return await session.get(PolicyException, exception_id)


async def find(
    session: AsyncSession, *, status: str | None, limit: int, offset: int
) -> tuple[Sequence[PolicyException], int]:
    """A page of exceptions, newest first, and the total count for the filter."""
    query = select(PolicyException)
    counted = select(func.count()).select_from(PolicyException)
    if status is not None:
        query = query.where(PolicyException.status == status)
        counted = counted.where(PolicyException.status == status)
    page = query.order_by(PolicyException.created_at.desc(), PolicyException.exception_id)
    rows = (await session.scalars(page.limit(limit).offset(offset))).all()
    return rows, int(await session.scalar(counted) or 0)


async def due_for_expiry(
    session: AsyncSession, now: datetime, *, limit: int = 200
) -> Sequence[PolicyException]:
    """Active exceptions whose time is up; replicas on PostgreSQL skip each other's rows."""
    query = (
        select(PolicyException)
        .where(PolicyException.status == "active", PolicyException.expires_at <= now)
        .order_by(PolicyException.expires_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return (await session.scalars(query)).all()
