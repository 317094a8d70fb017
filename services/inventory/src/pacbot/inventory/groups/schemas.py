"""Request and response bodies of /groups."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from pacbot.inventory.assets.schemas import AssetOut
from pacbot.inventory.connectors import CONNECTORS

GroupName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")]
AccountId = Annotated[str, StringConstraints(pattern=r"^\d{12}$")]
Region = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{2,32}$")]
TagKey = Annotated[str, StringConstraints(min_length=1, max_length=128)]


class Criteria(BaseModel):
    """Which assets belong: any listed account/region/type, and every tag key with a value."""

    model_config = ConfigDict(extra="forbid")

    accounts: list[AccountId] = Field(default_factory=list)
    regions: list[Region] = Field(default_factory=list)
    resource_types: list[str] = Field(default_factory=list)
    tags: dict[TagKey, str | list[str]] = Field(default_factory=dict)

    @field_validator("resource_types")
    @classmethod
    def _known_types(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(CONNECTORS.types()))
        if unknown:
            raise ValueError(f"unknown resource type(s) {unknown}; known: {CONNECTORS.types()}")
        return value

    @field_validator("tags")
    @classmethod
    def _tag_values(cls, value: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        for key, wanted in value.items():
            if isinstance(wanted, list) and not wanted:
                raise ValueError(f"tag {key!r} needs at least one value")
        return value

    @model_validator(mode="after")
    def _at_least_one(self) -> Criteria:
        if not (self.accounts or self.regions or self.resource_types or self.tags):
            raise ValueError("give at least one of accounts, regions, resource_types, tags")
        return self

    def stored(self) -> dict[str, Any]:
        """The JSON kept in the table: only the criteria that were given."""
        return self.model_dump(exclude_defaults=True)


class GroupIn(BaseModel):
    """A new group."""

    model_config = ConfigDict(extra="forbid")

    name: GroupName
    description: Annotated[str, StringConstraints(max_length=2000)] = ""
    criteria: Criteria


class GroupUpdate(BaseModel):
    """A group's new description and criteria (PUT replaces both)."""

    model_config = ConfigDict(extra="forbid")

    description: Annotated[str, StringConstraints(max_length=2000)] = ""
    criteria: Criteria


class GroupOut(BaseModel):
    """A group with how many current assets it covers right now."""

    name: str
    description: str
    criteria: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    member_count: int | None = Field(
        description="current (non-deleted) members; null when asked with counts=false"
    )


class GroupDetail(GroupOut):
    """A group with its members counted by resource type, account and region."""

    breakdown: dict[str, dict[str, int]] | None = Field(
        description="members by resource_type, account_id and region; null with counts=false"
    )


class GroupList(BaseModel):
    """A page of groups by name, and the next page's cursor (null: the last)."""

    items: list[GroupOut]
    next_cursor: str | None = None


class MemberPage(BaseModel):
    """A page of a group's current assets by id, how many there are, and the next page's cursor."""

    items: list[AssetOut]
    total: int
    next_cursor: str | None = None
