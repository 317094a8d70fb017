"""Mean time to remediate: episodes closed as fixed within a window, by severity.

For each episode with ``close_reason = "fixed"`` and ``since < closed_at <= until``:
``hours = (closed_at - opened_at) / 3600 s``. An episode's time includes any stretch it spent
exempted. Mean and median per severity and overall; null when no episode qualifies.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.violations.compliance.schemas import RemediationTime
from pacbot.violations.filters import any_of
from pacbot.violations.models import ViolationEpisode, as_utc
from pacbot.violations.settings import SEVERITY_WEIGHTS


def remediation_time(hours: Sequence[float]) -> RemediationTime:
    """Count, mean and median of remediation times in hours."""
    if not hours:
        return RemediationTime(episodes=0, mean_hours=None, median_hours=None)
    return RemediationTime(
        episodes=len(hours),
        mean_hours=statistics.fmean(hours),
        median_hours=statistics.median(hours),
    )


async def fixed_episode_hours(
    session: AsyncSession,
    since: datetime,
    until: datetime,
    *,
    account_id: Sequence[str] = (),
    region: Sequence[str] = (),
    resource_type: Sequence[str] = (),
) -> dict[str, list[float]]:
    """Hours to fix of each qualifying episode, by severity (every severity present)."""
    e = ViolationEpisode
    rows = await session.execute(
        select(e.severity, e.opened_at, e.closed_at).where(
            e.close_reason == "fixed",
            e.closed_at > since,
            e.closed_at <= until,
            *any_of(e.account_id, account_id),
            *any_of(e.region, region),
            *any_of(e.resource_type, resource_type),
        )
    )
    hours: dict[str, list[float]] = {severity: [] for severity in SEVERITY_WEIGHTS}
    for severity, opened_at, closed_at in rows.all():
        if closed_at is None:  # excluded by the query; keeps the types honest
            continue
        elapsed = (as_utc(closed_at) - as_utc(opened_at)).total_seconds() / 3600
        hours.setdefault(severity, []).append(elapsed)
    return hours
