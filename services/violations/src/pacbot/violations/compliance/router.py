"""``/compliance``: summary (scoped), daily trend and mean time to remediate."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from pacbot.common.events import utcnow
from pacbot.common.web import AppRuntime, DbSession
from pacbot.violations.compliance.mttr import fixed_episode_hours, remediation_time
from pacbot.violations.compliance.repository import tally_scope
from pacbot.violations.compliance.schemas import (
    ComplianceSummary,
    ComplianceTrend,
    MeanTimeToRemediate,
    Weights,
)
from pacbot.violations.compliance.scope import Scope, parse_scope_key, resolve_group, scope_of
from pacbot.violations.compliance.service import summarise
from pacbot.violations.compliance.snapshots import trend
from pacbot.violations.settings import ViolationsSettings

router = APIRouter(prefix="/compliance", tags=["compliance"])
Many = Query()


def configured_weights(runtime: AppRuntime) -> Weights:
    """The severity and category weights of this service's settings."""
    settings = runtime.settings
    assert isinstance(settings, ViolationsSettings)
    return Weights(severity=settings.severity_weights, category=settings.category_weights)


ConfiguredWeights = Annotated[Weights, Depends(configured_weights)]


async def asked_scope(
    runtime: AppRuntime,
    account_id: Annotated[list[str] | None, Many] = None,
    region: Annotated[list[str] | None, Many] = None,
    resource_type: Annotated[list[str] | None, Many] = None,
    tag: Annotated[list[str] | None, Query(description="KEY=VALUE (or KEY:VALUE)")] = None,
    group: Annotated[str | None, Query(description="an inventory asset group")] = None,
) -> Scope:
    """The scope a compliance read asks for (repeated values of one filter: any of them), with
    its asset group's criteria from the inventory."""
    scope = scope_of(account_id or (), region or (), resource_type or (), tag or (), group)
    return await resolve_group(runtime, scope)


AskedScope = Annotated[Scope, Depends(asked_scope)]


@router.get("/summary", response_model=ComplianceSummary)
async def compliance_summary(
    session: DbSession,
    weights: ConfiguredWeights,
    scope: AskedScope,
    exempted_as_passing: bool = False,
) -> ComplianceSummary:
    """Compliance of the live assets in scope (repeated values of one filter: any of them)."""
    tally = await tally_scope(session, scope)
    return summarise(tally, weights, scope=scope.key(), exempted_as_passing=exempted_as_passing)


@router.get("/trend", response_model=ComplianceTrend)
async def compliance_trend(
    session: DbSession,
    scope: Annotated[str, Query(description='"all" or e.g. "account:111111111111"')] = "all",
    days: Annotated[int, Query(ge=1, le=366)] = 30,
) -> ComplianceTrend:
    """The daily snapshots of one scope over the last ``days`` days."""
    key = parse_scope_key(scope).key()
    points = await trend(session, key, days, utcnow().date())
    return ComplianceTrend(scope=key, days=days, points=points)


@router.get("/mttr", response_model=MeanTimeToRemediate)
async def mean_time_to_remediate(
    session: DbSession,
    days: Annotated[int, Query(ge=1, le=3660)] = 90,
    account_id: Annotated[list[str] | None, Many] = None,
    region: Annotated[list[str] | None, Many] = None,
    resource_type: Annotated[list[str] | None, Many] = None,
) -> MeanTimeToRemediate:
    """Hours to fix, by severity, over episodes closed as fixed in the last ``days`` days."""
    until = utcnow()
    since = until - timedelta(days=days)
    hours = await fixed_episode_hours(
        session,
        since,
        until,
        account_id=account_id or (),
        region=region or (),
        resource_type=resource_type or (),
    )
    return MeanTimeToRemediate(
        window_days=days,
        since=since,
        until=until,
        overall=remediation_time([h for values in hours.values() for h in values]),
        by_severity={severity: remediation_time(values) for severity, values in hours.items()},
    )
