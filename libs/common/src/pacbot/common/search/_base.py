"""The asset search contract shared by the OpenSearch adapter and the database fallback.

Semantics both backends implement (one behavioural test suite runs against each):

- ``text``: every word must match the asset's name, id, tag keys or tag values.
  OpenSearch matches analysed words (standard analyzer); the database matches substrings.
- ``filters``: ``resource_type``, ``account_id``, ``region`` and ``deleted`` ("true"/"false")
  admit any of the listed values; ``tag_keys`` requires every listed key; ``tag_pairs``
  ("K=V") are grouped by key: any of the values of one key, and every key.
- ``sort``: one of :data:`SORT_FIELDS` (``relevance`` by default when text is given, else
  ``name``), ``order`` asc|desc, always with ``asset_id`` ascending as the tiebreaker.
- paging: either ``offset`` (capped: offset + size <= :data:`MAX_WINDOW`) or the opaque
  ``cursor`` a previous page returned as ``next_cursor`` (search_after under the hood).
- facets: ``resource_type``, ``account_id``, ``region``, ``tag_keys`` and ``tags.<key>``
  (value counts per tag key), over everything that matches.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from pacbot.common.search._cursor import SearchQueryError, decode_cursor

FACET_FIELDS = ("resource_type", "account_id", "region", "tag_keys")
FILTER_FIELDS = ("resource_type", "account_id", "region", "tag_keys", "tag_pairs", "deleted")
SORT_FIELDS = ("relevance", "name", "resource_type", "account_id", "region", "updated_at")
ORDERS = ("asc", "desc")
MAX_SIZE = 500
MAX_WINDOW = 10_000
FACET_SIZE = 100
TAG_PAIR_FACET_SIZE = 1000
EPOCH = "1970-01-01T00:00:00.000+00:00"


@dataclass(frozen=True)
class SearchQuery:
    """Full text, exact filters, a sort, and either offset or cursor paging."""

    text: str | None = None
    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    sort: str | None = None
    order: str = "asc"
    size: int = 50
    offset: int = 0
    cursor: str | None = None

    def __post_init__(self) -> None:
        unknown = set(self.filters) - set(FILTER_FIELDS)
        if unknown:
            raise SearchQueryError(
                f"unknown search filter(s) {sorted(unknown)}; allowed: {FILTER_FIELDS}",
                field=sorted(unknown)[0],
            )
        for pair in self.filters.get("tag_pairs", ()):
            if "=" not in pair or pair.startswith("="):
                raise SearchQueryError(
                    f"tag filter {pair!r} must look like KEY=VALUE", field="tag_pairs"
                )
        if self.sort is not None and self.sort not in SORT_FIELDS:
            raise SearchQueryError(
                f"cannot sort by {self.sort!r}; sortable fields: {SORT_FIELDS}", field="sort"
            )
        if self.order not in ORDERS:
            raise SearchQueryError(f"order must be one of {ORDERS}", field="order")
        if not 1 <= self.size <= MAX_SIZE:
            raise SearchQueryError(f"size must be between 1 and {MAX_SIZE}", field="size")
        if self.offset < 0:
            raise SearchQueryError("offset must not be negative", field="offset")
        if self.offset + self.size > MAX_WINDOW:
            raise SearchQueryError(
                f"offset + size must not exceed {MAX_WINDOW}; page deeper with the cursor "
                "(next_cursor of the previous page)",
                field="offset",
            )
        if self.cursor is not None:
            if self.offset:
                raise SearchQueryError("use either offset or cursor, not both", field="cursor")
            self.after()

    @property
    def sort_field(self) -> str:
        """The effective sort: relevance when text is given and no sort was asked for."""
        return self.sort or ("relevance" if self.text else "name")

    @property
    def descending(self) -> bool:
        """True when the primary sort value runs high to low (relevance always does)."""
        return self.sort_field == "relevance" or self.order == "desc"

    def after(self) -> list[Any] | None:
        """The sort values the cursor continues after, checked against this query's sort."""
        if self.cursor is None:
            return None
        return decode_cursor(self.cursor, self.sort_field, self.order)


@dataclass(frozen=True)
class SearchPage:
    """One page of matching asset documents, the total, facet counts and the next cursor."""

    total: int
    items: list[dict[str, Any]]
    facets: dict[str, dict[str, int]]
    next_cursor: str | None = None


@dataclass(frozen=True)
class Rebuilt:
    """What a rebuild indexed, and where it lives now."""

    indexed: int
    index: str


def _timestamp(value: Any) -> str:
    """UTC ISO-8601 at millisecond precision (what OpenSearch keeps), so both backends agree."""
    if value is None or value == "":
        return EPOCH
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def search_document(asset: Mapping[str, Any]) -> dict[str, Any]:
    """The indexed shape of an asset: flat fields, tag keys and ``key=value`` pairs."""
    tags: dict[str, str] = dict(asset.get("tags") or {})
    return {
        "asset_id": asset["asset_id"],
        "account_id": asset["account_id"],
        "region": asset["region"],
        "resource_type": asset["resource_type"],
        "name": asset["name"],
        "tags": tags,
        "tag_keys": sorted(tags),
        "tag_pairs": sorted(f"{k}={v}" for k, v in tags.items()),
        "deleted": "true" if asset.get("deleted") in (True, "true") else "false",
        "version": asset.get("version", 1),
        "updated_at": _timestamp(asset.get("updated_at")),
    }


def tag_value_facets(pair_counts: Iterable[tuple[str, int]]) -> dict[str, dict[str, int]]:
    """``[("Env=prod", 3)]`` → ``{"tags.Env": {"prod": 3}}`` (keys split at the first ``=``)."""
    facets: dict[str, dict[str, int]] = {}
    for pair, count in pair_counts:
        key, _, value = pair.partition("=")
        facets.setdefault(f"tags.{key}", {})[value] = count
    return facets


def tag_filters(pairs: Sequence[str]) -> dict[str, list[str]]:
    """``["Env=prod", "Env=dev", "Owner=a"]`` → ``{"Env": [...2 pairs], "Owner": [...]}``."""
    by_key: dict[str, list[str]] = {}
    for pair in pairs:
        by_key.setdefault(pair.partition("=")[0], []).append(pair)
    return by_key


class SearchUnavailable(RuntimeError):
    """The search backend does not answer (down, unreachable, or failing on its side)."""


DocumentSource = Callable[[], AsyncIterable[dict[str, Any]]]
"""Every current asset's search fields, read afresh on each call (the source of truth)."""


class AssetSearch(Protocol):
    """Index and query asset documents."""

    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def index(self, asset: dict[str, Any]) -> None: ...
    async def remove(self, asset_id: str) -> None: ...
    async def apply(self, upserts: Sequence[dict[str, Any]], removals: Sequence[str]) -> None: ...
    async def search(self, query: SearchQuery) -> SearchPage: ...
    async def rebuild(self, assets: AsyncIterable[dict[str, Any]]) -> Rebuilt: ...
    async def ping(self) -> bool: ...
    def keep_up(self, source: DocumentSource, retry_seconds: float = 5) -> None: ...
