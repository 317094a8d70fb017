"""The asset search contract shared by the OpenSearch adapter and the database fallback."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

FACET_FIELDS = ("resource_type", "account_id", "region", "tag_keys")
FILTER_FIELDS = ("resource_type", "account_id", "region", "tag_pairs", "deleted")


@dataclass(frozen=True)
class SearchQuery:
    """Full text plus exact filters, with offset paging (skeleton; search_after comes later)."""

    text: str | None = None
    filters: dict[str, Sequence[str]] = field(default_factory=dict)
    size: int = 50
    offset: int = 0

    def __post_init__(self) -> None:
        unknown = set(self.filters) - set(FILTER_FIELDS)
        if unknown:
            raise ValueError(
                f"unknown search filter(s) {sorted(unknown)}; allowed: {FILTER_FIELDS}"
            )
        if not 1 <= self.size <= 500:
            raise ValueError("size must be between 1 and 500")
        if self.offset < 0:
            raise ValueError("offset must not be negative")


@dataclass(frozen=True)
class SearchPage:
    """One page of matching asset documents, the total, and facet counts."""

    total: int
    items: list[dict[str, Any]]
    facets: dict[str, dict[str, int]]


def search_document(asset: dict[str, Any]) -> dict[str, Any]:
    """The indexed shape of an asset: flat fields, tag keys and ``key=value`` pairs."""
    tags: dict[str, str] = asset.get("tags") or {}
    return {
        "asset_id": asset["asset_id"],
        "account_id": asset["account_id"],
        "region": asset["region"],
        "resource_type": asset["resource_type"],
        "name": asset["name"],
        "tags": tags,
        "tag_keys": sorted(tags),
        "tag_pairs": sorted(f"{k}={v}" for k, v in tags.items()),
        "deleted": "true" if asset.get("deleted") else "false",
        "version": asset.get("version", 1),
        "updated_at": asset.get("updated_at"),
    }


class AssetSearch(Protocol):
    """Index and query asset documents."""

    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def index(self, asset: dict[str, Any]) -> None: ...
    async def remove(self, asset_id: str) -> None: ...
    async def search(self, query: SearchQuery) -> SearchPage: ...
    async def ping(self) -> bool: ...
