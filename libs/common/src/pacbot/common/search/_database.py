"""Search answered from the owning service's database, for embedded mode.

The indexed columns and a lower-cased haystack narrow the candidates in SQL; exact tag
filters, facets, sorting and paging then run over the candidate documents in Python, so
the semantics are exactly those of the OpenSearch adapter. Embedded estates are small;
a cluster uses OpenSearch.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterable, Sequence
from typing import Any

from sqlalchemy import JSON, Column, MetaData, String, Table, Text, delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from pacbot.common.db import Database
from pacbot.common.search._base import (
    FACET_FIELDS,
    FACET_SIZE,
    TAG_PAIR_FACET_SIZE,
    DocumentSource,
    Rebuilt,
    SearchPage,
    SearchQuery,
    search_document,
    tag_filters,
    tag_value_facets,
)
from pacbot.common.search._cursor import SearchQueryError, encode_cursor

COLUMN_FILTERS = ("resource_type", "account_id", "region", "deleted")


def search_table(metadata: MetaData) -> Table:
    """The ``search_documents`` table inside the owning service's metadata."""
    return Table(
        "search_documents",
        metadata,
        Column("asset_id", String(512), primary_key=True),
        Column("account_id", String(32), nullable=False, index=True),
        Column("region", String(32), nullable=False, index=True),
        Column("resource_type", String(128), nullable=False, index=True),
        Column("deleted", String(5), nullable=False),
        Column("haystack", Text, nullable=False),
        Column("document", JSON, nullable=False),
    )


def _row(asset: dict[str, Any]) -> dict[str, Any]:
    doc = search_document(asset)
    return {
        "asset_id": doc["asset_id"],
        "account_id": doc["account_id"],
        "region": doc["region"],
        "resource_type": doc["resource_type"],
        "deleted": doc["deleted"],
        "haystack": " ".join([doc["name"], doc["asset_id"], *doc["tag_pairs"]]).lower(),
        "document": doc,
    }


def _admitted_by_tags(doc: dict[str, Any], query: SearchQuery) -> bool:
    keys = set(doc["tag_keys"])
    pairs = set(doc["tag_pairs"])
    if not keys.issuperset(query.filters.get("tag_keys", ())):
        return False
    groups = tag_filters(query.filters.get("tag_pairs", ())).values()
    return all(pairs & set(group) for group in groups)


def _top(counts: Counter[str], size: int) -> list[tuple[str, int]]:
    """Like an OpenSearch terms aggregation: count descending, then key ascending."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:size]


def _facets(docs: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {f: Counter() for f in FACET_FIELDS}
    pairs: Counter[str] = Counter()
    for doc in docs:
        for f in FACET_FIELDS:
            counts[f].update(doc[f] if isinstance(doc[f], list) else [doc[f]])
        pairs.update(doc["tag_pairs"])
    facets = {f: dict(_top(c, FACET_SIZE)) for f, c in counts.items()}
    facets.update(tag_value_facets(_top(pairs, TAG_PAIR_FACET_SIZE)))
    return facets


def _relevance(doc: dict[str, Any], text: str | None) -> int:
    """Crude relevance: an exact name beats a name prefix beats any other match."""
    if not text:
        return 0
    name, wanted = doc["name"].lower(), text.strip().lower()
    return 3 if name == wanted else 2 if name.startswith(wanted) else 1


class DatabaseAssets:
    """The same contract as OpenSearch, over one table of the owning service."""

    def __init__(self, db: Database, table: Table) -> None:
        self.db = db
        self.table = table

    async def start(self) -> None:
        """Nothing to connect; the table comes with the service's migrations."""

    async def stop(self) -> None:
        """Nothing to close."""

    async def index(self, asset: dict[str, Any]) -> None:
        """Upsert one asset document."""
        await self.apply([asset], [])

    async def remove(self, asset_id: str) -> None:
        """Drop an asset document."""
        await self.apply([], [asset_id])

    async def apply(self, upserts: Sequence[dict[str, Any]], removals: Sequence[str]) -> None:
        """Upsert and drop many documents in one transaction (one sweep's changes)."""
        upsert = pg_insert if self.db.is_postgres else sqlite_insert
        async with self.db.session() as session:
            for asset in upserts:
                row = _row(asset)
                stmt = upsert(self.table).values(**row)
                await session.execute(
                    stmt.on_conflict_do_update(index_elements=["asset_id"], set_=row)
                )
            if removals:
                await session.execute(
                    delete(self.table).where(self.table.c.asset_id.in_(list(removals)))
                )

    async def rebuild(self, assets: AsyncIterable[dict[str, Any]]) -> Rebuilt:
        """Replace every document in one transaction: readers see the old set or the new one."""
        rows = [_row(asset) async for asset in assets]
        async with self.db.session() as session:
            await session.execute(delete(self.table))
            for start in range(0, len(rows), 500):
                await session.execute(insert(self.table), rows[start : start + 500])
        return Rebuilt(indexed=len(rows), index=self.table.name)

    async def _candidates(self, query: SearchQuery) -> list[dict[str, Any]]:
        t = self.table
        conditions = [
            t.c.haystack.contains(word, autoescape=True)
            for word in (query.text or "").lower().split()
        ]
        for name in COLUMN_FILTERS:
            if query.filters.get(name):
                conditions.append(t.c[name].in_(list(query.filters[name])))
        async with self.db.session() as session:
            found = await session.scalars(select(t.c.document).where(*conditions))
            docs = [json.loads(d) if isinstance(d, str) else d for d in found]
        return [d for d in docs if _admitted_by_tags(d, query)]

    async def search(self, query: SearchQuery) -> SearchPage:
        """Every word must appear in name, id or tags; filters are exact; facets over all hits."""
        docs = await self._candidates(query)
        field = query.sort_field

        def primary(doc: dict[str, Any]) -> Any:
            return _relevance(doc, query.text) if field == "relevance" else doc[field]

        docs.sort(key=lambda d: d["asset_id"])
        docs.sort(key=primary, reverse=query.descending)
        total, facets = len(docs), _facets(docs)
        after = query.after()
        if after is not None:
            docs = [d for d in docs if self._beyond(primary(d), d["asset_id"], after, query)]
        window = docs[query.offset : query.offset + query.size + 1]
        items = window[: query.size]
        next_cursor = None
        if len(window) > query.size:
            last = items[-1]
            next_cursor = encode_cursor(field, query.order, [primary(last), last["asset_id"]])
        return SearchPage(total, items, facets, next_cursor)

    @staticmethod
    def _beyond(value: Any, asset_id: str, after: list[Any], query: SearchQuery) -> bool:
        try:
            if value != after[0]:
                return bool(value < after[0] if query.descending else value > after[0])
        except TypeError as exc:
            raise SearchQueryError("cursor does not fit this sort", field="cursor") from exc
        return bool(asset_id > after[1])

    async def ping(self) -> bool:
        """True when the database answers."""
        return await self.db.ping()

    def keep_up(self, source: DocumentSource, retry_seconds: float = 5) -> None:
        """No catch-up loop: this backend lives in the database the assets live in, so it is
        down exactly when the assets cannot be written either."""
