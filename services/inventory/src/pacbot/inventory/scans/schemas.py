"""Request and response bodies of /scans."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field


class ScanRequest(BaseModel):
    """Which account and resource types to sweep now; everything when omitted."""

    model_config = ConfigDict(extra="forbid")

    account_id: str | None = Field(default=None, pattern=r"^\d{12}$")
    resource_types: list[str] | None = None


class SweepOut(BaseModel):
    """One sweep and how it ended."""

    model_config = ConfigDict(from_attributes=True)

    sweep_id: str = Field(validation_alias=AliasChoices("sweep_id", "id"))
    account_id: str
    region: str
    resource_type: str
    status: Literal["running", "succeeded", "failed"]
    error: str | None
    seen: int
    upserted: int
    deleted: int
    started_at: datetime
    finished_at: datetime | None


class ScanResult(BaseModel):
    """The sweeps a scan ran."""

    sweeps: list[SweepOut]


class SweepPage(BaseModel):
    """``GET /scans``: a page of recent sweeps (``sweeps``: the same, its old name)."""

    items: list[SweepOut]
    sweeps: list[SweepOut] = Field(deprecated=True, description="the old name of items")
    next_cursor: str | None = None
