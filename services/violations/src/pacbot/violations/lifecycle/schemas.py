"""HTTP shapes of the violations endpoints (contracts.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from pacbot.violations.models import ViolationRow, as_utc


class TimelineEntry(BaseModel):
    """One transition in a violation's history."""

    at: datetime
    event: str
    detail: str


class ViolationOut(BaseModel):
    """A violation as dashboards and peer services see it."""

    violation_id: str
    asset_id: str
    account_id: str
    region: str
    resource_type: str
    asset_name: str
    policy_id: str
    policy_name: str
    severity: str
    category: str
    status: str
    reason: str
    close_reason: str | None
    exception_id: str | None
    episode: int
    owner: str | None
    tags: dict[str, str]
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    timeline: list[TimelineEntry]

    @classmethod
    def of(cls, row: ViolationRow) -> ViolationOut:
        """Project a row; stored moments are UTC."""
        fields: dict[str, Any] = {name: getattr(row, name) for name in cls.model_fields}
        fields["opened_at"] = as_utc(row.opened_at)
        fields["updated_at"] = as_utc(row.updated_at)
        fields["closed_at"] = as_utc(row.closed_at) if row.closed_at else None
        return cls.model_validate(fields)


class ViolationPage(BaseModel):
    """``GET /violations``: ``next_cursor`` continues the listing, null on the last page."""

    items: list[ViolationOut]
    total: int
    next_cursor: str | None
