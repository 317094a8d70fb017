"""Response bodies of the plans API (see docs/contracts.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

PlanStatus = Literal["waiting", "applied", "dry_run", "skipped", "failed", "cancelled"]


class PlanOut(BaseModel):
    """A fix plan as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    plan_id: str
    violation_id: str
    asset_id: str
    account_id: str
    region: str
    policy_id: str
    action: str
    status: PlanStatus
    due_at: datetime
    dry_run: bool
    notified_at: datetime | None
    applied_at: datetime | None
    detail: str
    backup: dict[str, Any] | None


class PlanList(BaseModel):
    """A page of plans matching a filter, and the next page's cursor (null: the last)."""

    items: list[PlanOut]
    next_cursor: str | None = None
