"""Request and response bodies of the AutoFix API (see docs/contracts.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

PlanStatus = Literal[
    "notifying",
    "waiting",
    "held",
    "paused",
    "running",
    "applied",
    "dry_run",
    "skipped",
    "failed",
    "cancelled",
    "rolled_back",
]
PlanKind = Literal["fix", "rollback"]


class StepOut(BaseModel):
    """One entry of a plan's history."""

    model_config = ConfigDict(from_attributes=True)

    at: datetime
    step: str
    detail: str
    data: dict[str, Any]


class PlanOut(BaseModel):
    """A fix plan (or rollback) as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    plan_id: str
    kind: PlanKind
    rollback_of: str | None
    trigger: str
    requested_by: str | None
    violation_id: str
    asset_id: str
    asset_name: str
    resource_type: str
    account_id: str
    region: str
    owner: str | None
    policy_id: str
    action: str
    status: PlanStatus
    immediate: bool
    grace_seconds: float
    due_at: datetime
    dry_run: bool
    notified_at: datetime | None
    reminders_sent: int
    applied_at: datetime | None
    detail: str
    backup: dict[str, Any] | None
    calls: list[dict[str, Any]] | None
    created_at: datetime
    updated_at: datetime


class PlanDetail(PlanOut):
    """One plan with its history and its notifications."""

    history: list[StepOut]
    notifications: list[dict[str, Any]]


class PlanList(BaseModel):
    """A page of plans matching a filter, and the next page's cursor (null: the last)."""

    items: list[PlanOut]
    next_cursor: str | None = None


class FixNow(BaseModel):
    """``POST /fixes``: fix this violation now (still re-checked and guarded)."""

    model_config = ConfigDict(extra="forbid")

    violation_id: str = Field(min_length=1, max_length=64)
    dry_run: bool = False


class Reasoned(BaseModel):
    """A person's action on a plan, with why."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


class Postpone(Reasoned):
    """Move a pending plan's due time: to ``until``, or by ``seconds`` from now."""

    until: datetime | None = None
    seconds: float | None = Field(default=None, gt=0, le=90 * 86400)

    @model_validator(mode="after")
    def one_of(self) -> Postpone:
        """Exactly one of ``until`` and ``seconds``."""
        if (self.until is None) == (self.seconds is None):
            raise ValueError("give exactly one of `until` and `seconds`")
        if self.until is not None and self.until.tzinfo is None:
            raise ValueError("`until` needs a timezone (e.g. 2026-12-05T09:00:00Z)")
        return self


class FixInfo(BaseModel):
    """A registered fix, as ``pacbot fixes list`` shows it."""

    name: str
    resource_type: str
    policies: list[str]
    read_permissions: list[str]
    write_permissions: list[str]
    reversible: bool
    backs_up: str
    verifies: str
    description: str


class FixCatalog(BaseModel):
    """Registered fixes by name, and the next page's cursor (null: the last)."""

    items: list[FixInfo]
    next_cursor: str | None = None


class PauseOut(BaseModel):
    """A policy paused by its blast-radius cap."""

    model_config = ConfigDict(from_attributes=True)

    policy_id: str
    reason: str
    paused_at: datetime
    resumed_at: datetime | None
    resumed_by: str | None


class PauseList(BaseModel):
    """Pauses, newest first (``active=true``: only those in force), and the next cursor."""

    items: list[PauseOut]
    next_cursor: str | None = None
