"""Request and response bodies of /accounts."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from pacbot.inventory.models import Account


class AccountCreate(BaseModel):
    """An account to onboard; without ``role_arn`` the service's own credentials reach it."""

    model_config = ConfigDict(extra="forbid")

    account_id: str = Field(pattern=r"^\d{12}$")
    name: str = Field(min_length=1, max_length=200)
    role_arn: str | None = Field(default=None, max_length=2048)
    external_id: str | None = Field(default=None, min_length=2, max_length=1224)
    regions: list[str] | None = Field(default=None, min_length=1)


class AccountUpdate(BaseModel):
    """A change to an onboarded account: enable or disable it, rename it, change its regions."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)
    regions: list[str] | None = Field(default=None, min_length=1)


class OrganizationImport(BaseModel):
    """Onboard every active member of the caller's AWS Organization through one role name."""

    model_config = ConfigDict(extra="forbid")

    role_name: str = Field(pattern=r"^[\w+=,.@/-]{1,64}$")
    external_id: str | None = Field(default=None, min_length=2, max_length=1224)
    regions: list[str] | None = Field(default=None, min_length=1)


class ImportFailure(BaseModel):
    """A member account that could not be onboarded, with the AWS error."""

    account_id: str
    error: str


class OrganizationResult(BaseModel):
    """What an organization import did to each member account."""

    onboarded: list[str]
    already_onboarded: list[str]
    failed: list[ImportFailure]


class AccountOut(BaseModel):
    """An onboarded account. The external id is write-only: a shared secret with the role's
    trust policy, so responses say only whether one is set."""

    account_id: str
    name: str
    role_arn: str | None
    has_external_id: bool
    regions: list[str] | None
    created_at: datetime
    enabled: bool
    status: str
    validation_error: str | None
    validated_at: datetime | None
    source: str

    @classmethod
    def of(cls, account: Account) -> AccountOut:
        """The response shape of a stored account, without its external id."""
        return cls(
            account_id=account.account_id,
            name=account.name,
            role_arn=account.role_arn,
            has_external_id=bool(account.external_id),
            regions=account.regions,
            created_at=account.created_at,
            enabled=account.enabled,
            status=account.status,
            validation_error=account.validation_error,
            validated_at=account.validated_at,
            source=account.source,
        )


class AccountAccessOut(BaseModel):
    """How a peer service reaches an account: the role to assume and its external id.

    Only peer services get this (``GET /accounts/{id}/access``); the public account shape never
    carries the external id.
    """

    account_id: str
    role_arn: str | None
    external_id: str | None
    enabled: bool

    @classmethod
    def of(cls, account: Account) -> AccountAccessOut:
        """The assume-role details of a stored account."""
        return cls(
            account_id=account.account_id,
            role_arn=account.role_arn,
            external_id=account.external_id,
            enabled=account.enabled,
        )


class AccountList(BaseModel):
    """A page of onboarded accounts by id, and the next page's cursor (null: the last)."""

    items: list[AccountOut]
    next_cursor: str | None = None
