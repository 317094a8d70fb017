"""Response and request bodies of /assets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AssetOut(BaseModel):
    """One asset with its current configuration."""

    model_config = ConfigDict(from_attributes=True)

    asset_id: str
    account_id: str
    region: str
    resource_type: str
    name: str
    tags: dict[str, str]
    owner: str | None
    version: int
    config: dict[str, Any]
    config_hash: str
    deleted: bool
    first_seen: datetime
    last_seen: datetime


class AssetPage(BaseModel):
    """A page of assets, how many match in total, and the next page's cursor (null: the last)."""

    items: list[AssetOut]
    total: int
    next_cursor: str | None = None


class SearchResult(BaseModel):
    """Search hits (indexed documents), the total, facet counts and the next page's cursor."""

    total: int
    items: list[dict[str, Any]]
    facets: dict[str, dict[str, int]]
    next_cursor: str | None = None


class ReindexResult(BaseModel):
    """How many assets the rebuilt index holds, and its name."""

    indexed: int
    index: str


class ReplayRequest(BaseModel):
    """Which resource types to re-emit; all of them when omitted."""

    model_config = ConfigDict(extra="forbid")

    resource_types: list[str] | None = Field(default=None)


class ReplayResult(BaseModel):
    """How many asset.upserted events were re-emitted."""

    replayed: int
