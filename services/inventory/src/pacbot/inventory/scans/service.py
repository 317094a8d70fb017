"""Scans on demand: plan the sweeps, run them now, and list past sweeps."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.inventory.discovery import Discovery, SweepPlanner
from pacbot.inventory.models import Sweep
from pacbot.inventory.scans.schemas import ScanRequest


async def run_scan(
    planner: SweepPlanner, discovery: Discovery, request: ScanRequest
) -> list[Sweep]:
    """Sweep the requested account(s) and types, returning when every sweep has ended."""
    async with discovery.runtime.db.session() as session:
        targets = await planner.targets(session, request.account_id, request.resource_types)
    return await discovery.sweep_all(targets)


async def recent_sweeps(
    session: AsyncSession, *, limit: int, offset: int, account_id: str | None, status: str | None
) -> list[Sweep]:
    """The latest sweeps first, ``limit`` of them after the first ``offset``."""
    query = select(Sweep).order_by(Sweep.started_at.desc(), Sweep.id).limit(limit).offset(offset)
    if account_id:
        query = query.where(Sweep.account_id == account_id)
    if status:
        query = query.where(Sweep.status == status)
    return list(await session.scalars(query))
