"""HTTP shapes of ``/compliance/frameworks/{id}`` and of its exports (docs/contracts.md,
"Framework compliance")."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Status = Literal["pass", "fail", "manual", "not_evaluated"]
STATUSES: tuple[Status, ...] = ("pass", "fail", "manual", "not_evaluated")


class ControlPolicy(BaseModel):
    """A mapped policy's figures in scope (as in the compliance summary; zeros when unseen)."""

    policy_id: str
    name: str
    severity: str
    category: str
    enabled: bool
    evaluated: int
    passing: int
    failing: int
    exempted: int
    unknown: int
    compliance_pct: float | None


class FailingResource(BaseModel):
    """A live asset that fails one of the control's policies in scope (an open violation)."""

    asset_id: str
    asset_name: str
    resource_type: str
    account_id: str
    region: str
    policy_id: str
    violation_id: str | None
    reason: str


class ExemptedResource(FailingResource):
    """A failing asset whose violation an exception exempts now (``expires_at`` and
    ``exception_kind`` are null when the exception's grant has not reached this service)."""

    exception_id: str | None
    exception_kind: str | None
    expires_at: datetime | None


class ControlCompliance(BaseModel):
    """One control's status; the counts add up its policies' results (asset x policy)."""

    control_id: str
    title: str
    section: str
    subsection: str | None
    profile: str | None
    manual: bool
    status: Status
    evaluated: int
    passing: int
    failing: int
    unknown: int
    policies: list[ControlPolicy]
    failing_resources: list[FailingResource] = Field(
        default_factory=list, description="open failures, at most resource_limit"
    )
    failing_not_listed: int = Field(0, description="open failures beyond resource_limit")
    exceptions: list[ExemptedResource] = Field(
        default_factory=list, description="failures under an exception, at most resource_limit"
    )
    exceptions_not_listed: int = Field(0, description="exempted failures beyond resource_limit")


class FrameworkCompliance(BaseModel):
    """A framework's controls in a scope; the counts cover every control, ``items`` one page."""

    framework_id: str
    name: str
    version: str
    scope: str
    exempted_as_passing: bool
    resource_limit: int
    controls: int
    passing: int
    failing: int
    manual: int
    not_evaluated: int
    compliance_pct: float | None
    items: list[ControlCompliance]
    total: int
    next_cursor: str | None = None
