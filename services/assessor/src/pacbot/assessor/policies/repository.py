"""Queries on the policy registry table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.assessor.models import PolicyState
from pacbot.assessor.policies.compiled import CompiledPolicy


async def register_policies(
    session: AsyncSession, policies: Sequence[CompiledPolicy], now: datetime
) -> None:
    """Give each loaded policy a registry row (default: its YAML `enabled`); keep existing rows."""
    if not policies:
        return
    rows = [
        {"policy_id": p.id, "enabled": p.document.enabled, "param_overrides": {}, "updated_at": now}
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
