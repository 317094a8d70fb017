"""OpenSearch adapter: an explicit mapping on a versioned index behind an alias."""

from __future__ import annotations

from typing import Any

from opensearchpy import AsyncOpenSearch, NotFoundError

from pacbot.common.search._base import FACET_FIELDS, SearchPage, SearchQuery, search_document

ALIAS = "pacbot-assets"
INDEX_VERSION = 1
MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "asset_id": {"type": "keyword"},
        "account_id": {"type": "keyword"},
        "region": {"type": "keyword"},
        "resource_type": {"type": "keyword"},
        "name": {"type": "text", "fields": {"raw": {"type": "keyword"}}},
        "tags": {"type": "object", "enabled": False},
        "tag_keys": {"type": "keyword"},
        "tag_pairs": {"type": "keyword"},
        "deleted": {"type": "keyword"},
        "version": {"type": "long"},
        "updated_at": {"type": "date"},
    },
}


class OpenSearchAssets:
    """Asset search backed by OpenSearch."""

    def __init__(self, url: str, *, alias: str = ALIAS, refresh: bool = False) -> None:
        self.url = url
        self.alias = alias
        self.index_name = f"{alias}-v{INDEX_VERSION}"
        self.refresh = refresh
        self.client: AsyncOpenSearch | None = None

    def _client(self) -> AsyncOpenSearch:
        if self.client is None:
            raise RuntimeError("OpenSearchAssets used before start()")
        return self.client

    async def start(self) -> None:
        """Connect and make sure the versioned index and its alias exist."""
        self.client = AsyncOpenSearch(hosts=[self.url], timeout=30)
        client = self._client()
        if not await client.indices.exists(index=self.index_name):
            await client.indices.create(
                index=self.index_name,
                body={
                    "settings": {"number_of_shards": 1, "number_of_replicas": 0},
                    "mappings": MAPPING,
                    "aliases": {self.alias: {}},
                },
                ignore=400,
            )

    async def stop(self) -> None:
        """Close the connection pool."""
        if self.client is not None:
            await self.client.close()
            self.client = None

    async def index(self, asset: dict[str, Any]) -> None:
        """Upsert one asset document by id."""
        doc = search_document(asset)
        await self._client().index(
            index=self.alias,
            id=doc["asset_id"],
            body=doc,
            refresh="wait_for" if self.refresh else "false",
        )

    async def remove(self, asset_id: str) -> None:
        """Drop an asset document; a missing one is fine."""
        try:
            await self._client().delete(
                index=self.alias, id=asset_id, refresh="wait_for" if self.refresh else "false"
            )
        except NotFoundError:
            return

    async def search(self, query: SearchQuery) -> SearchPage:
        """Full-text over name, id and tags; exact filters; facet counts."""
        must: list[dict[str, Any]] = []
        if query.text:
            must.append(
                {
                    "multi_match": {
                        "query": query.text,
                        "fields": ["name^3", "name.raw^5", "asset_id^2", "tag_pairs", "tag_keys"],
                        "lenient": True,
                    }
                }
            )
        filters = [{"terms": {f: list(v)}} for f, v in query.filters.items()]
        body = {
            "query": {"bool": {"must": must or [{"match_all": {}}], "filter": filters}},
            "from": query.offset,
            "size": query.size,
            "sort": [{"_score": "desc"}, {"asset_id": "asc"}],
            "track_total_hits": True,
            "aggs": {f: {"terms": {"field": f, "size": 100}} for f in FACET_FIELDS},
        }
        result = await self._client().search(index=self.alias, body=body)
        return SearchPage(
            total=int(result["hits"]["total"]["value"]),
            items=[hit["_source"] for hit in result["hits"]["hits"]],
            facets={
                f: {b["key"]: b["doc_count"] for b in result["aggregations"][f]["buckets"]}
                for f in FACET_FIELDS
            },
        )

    async def ping(self) -> bool:
        """True when the cluster answers."""
        try:
            return bool(await self._client().ping())
        except Exception:
            return False
