"""Request and response bodies of the exceptions API (see docs/contracts.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pacbot.common.events import ExceptionCriteria

ExceptionStatus = Literal["pending", "active", "rejected", "revoked", "expired"]
ExceptionKind = Literal["resource", "sticky"]
HistoryAction = Literal["requested", "approved", "rejected", "revoked", "expiring_soon", "expired"]


class ExceptionRequest(BaseModel):
    """Ask for assets (by id, or every asset matching ``criteria``) to be exempt from policies.

    The requester is always the authenticated caller; the body cannot name one.
    """

    model_config = ConfigDict(extra="forbid")

    kind: ExceptionKind = "resource"
    asset_ids: list[str] = Field(default_factory=list)
    criteria: ExceptionCriteria | None = None
    policy_ids: list[str]
    reason: str
    expires_at: datetime


class DecisionRequest(BaseModel):
    """Why an exception is rejected or revoked."""

    model_config = ConfigDict(extra="forbid")

    reason: str


class ApprovalRequest(BaseModel):
    """An optional note with an approval."""

    model_config = ConfigDict(extra="forbid")

    comment: str | None = None


class ExceptionOut(BaseModel):
    """An exception as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    exception_id: str
    kind: ExceptionKind
    asset_ids: list[str]
    policy_ids: list[str]
    criteria: ExceptionCriteria | None
    reason: str
    requester: str
    status: ExceptionStatus
    expires_at: datetime
    created_at: datetime
    approver: str | None
    decided_at: datetime | None
    decision_reason: str | None
    revoked_at: datetime | None
    revoked_by: str | None
    revoke_reason: str | None
    expiring_soon_sent_at: datetime | None


class HistoryEntry(BaseModel):
    """One step in an exception's life."""

    model_config = ConfigDict(from_attributes=True)

    at: datetime
    action: HistoryAction
    actor: str | None
    detail: str | None


class ExceptionDetail(ExceptionOut):
    """An exception with its history, oldest step first."""

    history: list[HistoryEntry]


class ExceptionPage(BaseModel):
    """One page of exceptions, how many match in total, and the next page's cursor."""

    items: list[ExceptionOut]
    total: int
    next_cursor: str | None = None
