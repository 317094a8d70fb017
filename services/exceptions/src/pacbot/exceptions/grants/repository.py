"""Queries over the exceptions, their policies and their history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.events import ALL_POLICIES
from pacbot.exceptions.models import ExceptionHistory, ExceptionPolicy, PolicyException

IN_FORCE = ("pending", "active")


@dataclass(frozen=True)
class ExceptionFilter:
    """What a list of exceptions is narrowed to; every given field must match."""

    status: str | None = None
    kind: str | None = None
    policy_id: str | None = None
    requester: str | None = None
    expiring_within_days: float | None = None

    def apply(self, query: Select[PolicyException], now: datetime) -> Select[PolicyException]:
        """``query`` with a WHERE clause per given field."""
        if self.status is not None:
            query = query.where(PolicyException.status == self.status)
        if self.kind is not None:
            query = query.where(PolicyException.kind == self.kind)
        if self.requester is not None:
            query = query.where(PolicyException.requester == self.requester)
        if self.policy_id is not None:
            named = select(ExceptionPolicy.exception_id).where(
                ExceptionPolicy.policy_id.in_((self.policy_id, ALL_POLICIES))
            )
            query = query.where(PolicyException.exception_id.in_(named))
        if self.expiring_within_days is not None:
            horizon = now + timedelta(days=self.expiring_within_days)
            query = query.where(
                PolicyException.status.in_(IN_FORCE),
                PolicyException.expires_at > now,
                PolicyException.expires_at <= horizon,
            )
        return query


async def get(session: AsyncSession, exception_id: str) -> PolicyException | None:
    """The exception with this id, if any."""
    return await session.get(PolicyException, exception_id)


async def get_for_update(session: AsyncSession, exception_id: str) -> PolicyException | None:
    """The exception with this id, locked on PostgreSQL so concurrent decisions serialise."""
    query = select(PolicyException).where(PolicyException.exception_id == exception_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return (await session.scalars(query)).one_or_none()


async def find(
    session: AsyncSession, where: ExceptionFilter, *, now: datetime, limit: int, offset: int
) -> tuple[Sequence[PolicyException], int]:
    """A page of exceptions, newest first, and the total count for the filter."""
    query = where.apply(select(PolicyException), now)
    counted = select(func.count()).select_from(query.subquery())
    page = query.order_by(PolicyException.created_at.desc(), PolicyException.exception_id)
    rows = (await session.scalars(page.limit(limit).offset(offset))).all()
    return rows, int(await session.scalar(counted) or 0)


async def history(session: AsyncSession, exception_id: str) -> Sequence[ExceptionHistory]:
    """The exception's steps, oldest first."""
    query = (
        select(ExceptionHistory)
        .where(ExceptionHistory.exception_id == exception_id)
        .order_by(ExceptionHistory.at, ExceptionHistory.id)
    )
    return (await session.scalars(query)).all()


def _skip_locked(session: AsyncSession, query: Select[PolicyException]) -> Select[PolicyException]:
    if session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


async def due_for_expiry(
    session: AsyncSession, now: datetime, *, limit: int = 200
) -> Sequence[PolicyException]:
    """Pending or active exceptions whose time is up; replicas on PostgreSQL skip each other's."""
    query = (
        select(PolicyException)
        .where(PolicyException.status.in_(IN_FORCE), PolicyException.expires_at <= now)
        .order_by(PolicyException.expires_at)
        .limit(limit)
    )
    return (await session.scalars(_skip_locked(session, query))).all()


async def due_for_warning(
    session: AsyncSession, now: datetime, horizon: datetime, *, limit: int = 200
) -> Sequence[PolicyException]:
    """Active exceptions ending by ``horizon`` that have not been announced as expiring soon."""
    query = (
        select(PolicyException)
        .where(
            PolicyException.status == "active",
            PolicyException.expiring_soon_sent_at.is_(None),
            PolicyException.expires_at > now,
            PolicyException.expires_at <= horizon,
        )
        .order_by(PolicyException.expires_at)
        .limit(limit)
    )
    return (await session.scalars(_skip_locked(session, query))).all()
