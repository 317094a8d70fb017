"""Queries on the policy registry table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.assessor.models import PolicyChange, PolicyState
from pacbot.assessor.policies.compiled import CompiledPolicy


async def register_policies(
    session: AsyncSession, policies: Sequence[CompiledPolicy], now: datetime
) -> None:
    """Give each loaded policy a registry row (default: its YAML `enabled`); keep existing rows."""
    if not policies:
        return
    rows = [
        {
            "policy_id": p.id,
            "enabled": p.document.enabled,
            "param_overrides": {},
            "updated_at": now,
            "revision": 0,
        }
        for p in policies
    ]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(PolicyState).values(rows).on_conflict_do_nothing(index_elements=["policy_id"])
    )
    await session.execute(statement)


async def policy_states(session: AsyncSession) -> dict[str, PolicyState]:
    """Every registry row, by policy id."""
    rows = (await session.scalars(select(PolicyState))).all()
    return {row.policy_id: row for row in rows}


async def state(session: AsyncSession, policy_id: str) -> PolicyState | None:
    """The registry row of ``policy_id`` (a removed policy keeps its row)."""
    return await session.get(PolicyState, policy_id)


async def state_for_update(session: AsyncSession, policy_id: str) -> PolicyState | None:
    """The registry row of ``policy_id``, locked for this transaction where the database can."""
    statement = (
        select(PolicyState)
        .where(PolicyState.policy_id == policy_id)
        .with_for_update()
        .execution_options(populate_existing=True)  # what the lock holder committed, not a cache
    )
    return (await session.scalars(statement)).one_or_none()


async def add_change(session: AsyncSession, change: PolicyChange) -> None:
    """Record one audited change (unique per policy and revision)."""
    session.add(change)
    await session.flush()


async def latest_changes(
    session: AsyncSession, policy_id: str | None = None
) -> dict[str, PolicyChange]:
    """The newest audited change of every policy (or only of ``policy_id``), by policy id."""
    newest = select(
        PolicyChange.policy_id, func.max(PolicyChange.revision).label("revision")
    ).group_by(PolicyChange.policy_id)
    if policy_id is not None:
        newest = newest.where(PolicyChange.policy_id == policy_id)
    latest = newest.subquery()
    statement = select(PolicyChange).join(
        latest,
        and_(
            PolicyChange.policy_id == latest.c.policy_id, PolicyChange.revision == latest.c.revision
        ),
    )
    return {change.policy_id: change for change in (await session.scalars(statement)).all()}


async def changes_of(
    session: AsyncSession, policy_id: str, limit: int, offset: int = 0
) -> list[PolicyChange]:
    """The audited changes of ``policy_id``, newest first."""
    statement = (
        select(PolicyChange)
        .where(PolicyChange.policy_id == policy_id)
        .order_by(PolicyChange.revision.desc())
        .limit(limit)
        .offset(offset)
    )
    return list((await session.scalars(statement)).all())
