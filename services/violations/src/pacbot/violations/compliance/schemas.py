"""HTTP shape of ``GET /compliance/summary`` (contracts.md)."""

from __future__ import annotations

from pydantic import BaseModel


class PolicyCompliance(BaseModel):
    """One policy's figures; ``evaluated`` counts live assets with a pass or fail result."""

    policy_id: str
    name: str
    severity: str
    category: str
    evaluated: int
    passing: int
    failing: int
    compliance_pct: float | None


class ComplianceSummary(BaseModel):
    """Overall and per-policy compliance plus violation counts."""

    overall_pct: float | None
    evaluated_assets: int
    open: int
    exempted: int
    closed: int
    policies: list[PolicyCompliance]
