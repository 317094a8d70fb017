"""Request and response bodies of /accounts."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class AccountCreate(BaseModel):
    """An account to onboard; without ``role_arn`` the service's own credentials reach it."""

    model_config = ConfigDict(extra="forbid")

    account_id: str = Field(pattern=r"^\d{12}$")
    name: str = Field(min_length=1, max_length=200)
    role_arn: str | None = Field(default=None, max_length=2048)
    external_id: str | None = Field(default=None, min_length=2, max_length=1224)
    regions: list[str] | None = Field(default=None, min_length=1)


class AccountOut(BaseModel):
    """An onboarded account."""

    model_config = ConfigDict(from_attributes=True)

    account_id: str
    name: str
    role_arn: str | None
    external_id: str | None
    regions: list[str] | None
    created_at: datetime


class AccountList(BaseModel):
    """Every onboarded account."""

    items: list[AccountOut]
