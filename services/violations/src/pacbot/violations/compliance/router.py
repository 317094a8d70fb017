"""``/compliance/summary``."""

from __future__ import annotations

from fastapi import APIRouter

from pacbot.common.web import DbSession
from pacbot.violations.compliance.repository import (
    Scope,
    evaluated_assets,
    policy_counts,
    violation_counts,
)
from pacbot.violations.compliance.schemas import ComplianceSummary, PolicyCompliance
from pacbot.violations.compliance.service import compliance_pct, overall_pct

router = APIRouter(prefix="/compliance", tags=["compliance"])


@router.get("/summary", response_model=ComplianceSummary)
async def compliance_summary(
    session: DbSession, account_id: str | None = None, resource_type: str | None = None
) -> ComplianceSummary:
    """Compliance of live assets, optionally for one account and/or resource type."""
    scope = Scope(account_id, resource_type)
    counts = await policy_counts(session, scope)
    by_status = await violation_counts(session, scope)
    policies = [
        PolicyCompliance(
            policy_id=c.policy_id,
            name=c.name,
            severity=c.severity,
            category=c.category,
            evaluated=c.passing + c.failing,
            passing=c.passing,
            failing=c.failing,
            compliance_pct=compliance_pct(c.passing, c.passing + c.failing),
        )
        for c in counts
    ]
    return ComplianceSummary(
        overall_pct=overall_pct(counts),
        evaluated_assets=await evaluated_assets(session, scope),
        open=by_status.get("open", 0),
        exempted=by_status.get("exempted", 0),
        closed=by_status.get("closed", 0),
        policies=policies,
    )
