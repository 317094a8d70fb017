"""HTTP shapes of ``/compliance/*`` (docs/contracts.md)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

SEVERITIES = ("critical", "high", "medium", "low")


class PolicyCompliance(BaseModel):
    """One policy's figures.

    ``evaluated`` = ``passing`` + ``failing`` (live assets with a pass or fail result);
    ``exempted`` failures are part of ``failing`` unless the request counts them as passing;
    ``unknown`` (error) and ``not_applicable`` results are outside the ratio.
    """

    policy_id: str
    name: str
    severity: str
    category: str
    evaluated: int
    passing: int
    failing: int
    exempted: int
    unknown: int
    not_applicable: int
    compliance_pct: float | None


class CategoryCompliance(BaseModel):
    """A category's severity-weighted figure and its weight in the overall figure."""

    category: str
    weight: float
    policies: int
    evaluated: int
    passing: int
    failing: int
    compliance_pct: float | None


class Weights(BaseModel):
    """The weights the figures were computed with."""

    severity: dict[str, float]
    category: dict[str, float]


class ComplianceSummary(BaseModel):
    """Overall, per-category and per-policy compliance plus violation and unknown counts."""

    scope: str
    overall_pct: float | None
    evaluated_assets: int
    unknown: int
    unknown_assets: int
    open: int
    exempted: int
    closed: int
    open_by_severity: dict[str, int] = Field(
        description="open violations in scope by severity (every severity named)"
    )
    exempted_as_passing: bool
    weights: Weights
    categories: list[CategoryCompliance]
    policies: list[PolicyCompliance]


class TrendPoint(BaseModel):
    """The snapshot of one day."""

    day: date
    overall_pct: float | None
    evaluated_assets: int
    open: int
    exempted: int
    taken_at: datetime


class ComplianceTrend(BaseModel):
    """Daily snapshots of one scope, oldest first; days without a snapshot are absent."""

    scope: str
    days: int
    points: list[TrendPoint]


class RemediationTime(BaseModel):
    """Hours from (re-)opening to closing as fixed, over the episodes in the window."""

    episodes: int
    mean_hours: float | None
    median_hours: float | None


class MeanTimeToRemediate(BaseModel):
    """``GET /compliance/mttr``."""

    window_days: int
    since: datetime
    until: datetime
    overall: RemediationTime
    by_severity: dict[str, RemediationTime]
