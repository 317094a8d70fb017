"""Request and response bodies of the exceptions API (see docs/contracts.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

ExceptionStatus = Literal["active", "revoked", "expired"]


class ExceptionRequest(BaseModel):
    """Ask for some assets to be exempt from some policies until ``expires_at``."""

    model_config = ConfigDict(extra="forbid")

    asset_ids: list[str]
    policy_ids: list[str]
    reason: str
    requester: str
    expires_at: datetime


class RevokeRequest(BaseModel):
    """Who ends an exception early, and why."""

    model_config = ConfigDict(extra="forbid")

    by: str
    reason: str | None = None


class ExceptionOut(BaseModel):
    """An exception as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    exception_id: str
    kind: Literal["resource", "sticky"]
    asset_ids: list[str]
    policy_ids: list[str]
    reason: str
    requester: str
    status: ExceptionStatus
    expires_at: datetime
    created_at: datetime
    revoked_at: datetime | None
    revoked_by: str | None


class ExceptionPage(BaseModel):
    """One page of exceptions and how many match in total."""

    items: list[ExceptionOut]
    total: int
