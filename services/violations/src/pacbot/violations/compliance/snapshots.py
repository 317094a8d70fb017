"""Daily compliance snapshots: a loop re-takes today's figures per scope; trends read them.

Scopes: ``all``, every account with live results (``account:ID``) and the configured ones
(``snapshot_scopes``). A configured scope whose group cannot be resolved is skipped for that
pass (and logged); the others are still taken. Re-taking replaces the day's row (upsert).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.events import utcnow
from pacbot.common.periodic import Periodic
from pacbot.common.runtime import Runtime
from pacbot.common.web import DomainError
from pacbot.violations.compliance.repository import scoped_accounts, tally_scope
from pacbot.violations.compliance.schemas import ComplianceSummary, TrendPoint, Weights
from pacbot.violations.compliance.scope import Scope, parse_scope_key, resolve_group
from pacbot.violations.compliance.service import summarise
from pacbot.violations.models import ComplianceSnapshot, as_utc

log = logging.getLogger("pacbot.violations.snapshots")


async def upsert_snapshot(
    session: AsyncSession, day: date, summary: ComplianceSummary, taken_at: datetime
) -> None:
    """Insert or replace the (day, scope) snapshot in one statement (safe across replicas)."""
    values: dict[str, Any] = {
        "day": day,
        "scope": summary.scope,
        "overall_pct": summary.overall_pct,
        "evaluated_assets": summary.evaluated_assets,
        "open": summary.open,
        "exempted": summary.exempted,
        "figures": summary.model_dump(mode="json"),
        "taken_at": taken_at,
    }
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(ComplianceSnapshot).values(**values)
    update = {k: insert.excluded[k] for k in values if k not in ("day", "scope")}
    await session.execute(
        insert.on_conflict_do_update(index_elements=["day", "scope"], set_=update)
    )


async def take_snapshots(
    runtime: Runtime, weights: Weights, configured: list[str], now: datetime
) -> list[str]:
    """Snapshot every scope for ``now``'s UTC day; returns the scope keys taken."""
    async with runtime.db.session() as session:
        accounts = await scoped_accounts(session)
    scopes = [Scope(), *(Scope(account_id=(a,)) for a in accounts)]
    for key in configured:
        try:
            scopes.append(await resolve_group(runtime, parse_scope_key(key)))
        except DomainError as exc:
            log.warning("snapshot scope skipped", extra={"scope": key, "error": exc.message})
    taken: list[str] = []
    for scope in scopes:
        key = scope.key()
        if key in taken:
            continue
        async with runtime.db.session() as session:
            tally = await tally_scope(session, scope)
            summary = summarise(tally, weights, scope=key, exempted_as_passing=False)
            await upsert_snapshot(session, now.date(), summary, now)
        taken.append(key)
    return taken


async def trend(session: AsyncSession, scope: str, days: int, today: date) -> list[TrendPoint]:
    """The snapshots of ``scope`` over the last ``days`` days (today included), oldest first."""
    rows = await session.scalars(
        select(ComplianceSnapshot)
        .where(
            ComplianceSnapshot.scope == scope,
            ComplianceSnapshot.day > today - timedelta(days=days),
            ComplianceSnapshot.day <= today,
        )
        .order_by(ComplianceSnapshot.day)
    )
    return [
        TrendPoint(
            day=r.day,
            overall_pct=r.overall_pct,
            evaluated_assets=r.evaluated_assets,
            open=r.open,
            exempted=r.exempted,
            taken_at=as_utc(r.taken_at),
        )
        for r in rows.all()
    ]


class SnapshotLoop(Periodic):
    """Every ``interval`` seconds, re-takes today's snapshots."""

    name = "compliance-snapshots"

    def __init__(
        self, runtime: Runtime, weights: Weights, configured: list[str], interval: float
    ) -> None:
        super().__init__(interval)
        self.runtime = runtime
        self.weights = weights
        self.configured = configured

    async def run_once(self) -> list[str]:
        """One pass over every scope."""
        taken = await take_snapshots(self.runtime, self.weights, self.configured, utcnow())
        log.info("compliance snapshots taken", extra={"scopes": len(taken)})
        return taken
