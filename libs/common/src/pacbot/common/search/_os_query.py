"""The OpenSearch side of the contract: the explicit mapping, request bodies, page parsing.

Facets per tag key: every document carries ``tag_pairs`` (``"Environment=prod"``) as a
keyword. One ``terms`` aggregation over ``tag_pairs`` counts documents per pair, and the
adapter splits each bucket at the first ``=`` into ``tags.<key>`` → ``{value: count}``.
This uses only a core keyword field and a core ``terms`` aggregation: no ``nested`` docs,
no ``flat_object`` (whose sub-fields cannot be aggregated) and no scripts, so it runs on the
core-only integ-test distribution. The pair aggregation is capped at
:data:`TAG_PAIR_FACET_SIZE` buckets (the most frequent pairs), exactly like the database
fallback. ``tag_keys`` (a keyword too) gives the key facet and the key filter.
"""

from __future__ import annotations

from typing import Any

from pacbot.common.search._base import (
    FACET_FIELDS,
    FACET_SIZE,
    TAG_PAIR_FACET_SIZE,
    SearchPage,
    SearchQuery,
    tag_filters,
    tag_value_facets,
)
from pacbot.common.search._cursor import encode_cursor

INDEX_VERSION = 2
_TEXT = {"text": {"type": "text"}}
MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "asset_id": {"type": "keyword", "fields": _TEXT},
        "account_id": {"type": "keyword"},
        "region": {"type": "keyword"},
        "resource_type": {"type": "keyword"},
        "name": {"type": "text", "fields": {"raw": {"type": "keyword"}}},
        "tags": {"type": "object", "enabled": False},
        "tag_keys": {"type": "keyword"},
        "tag_pairs": {"type": "keyword", "fields": _TEXT},
        "deleted": {"type": "keyword"},
        "version": {"type": "long"},
        "updated_at": {"type": "date"},
    },
}
SETTINGS: dict[str, Any] = {"number_of_shards": 1, "number_of_replicas": 0}
SORT_COLUMNS = {"name": "name.raw"}


def _text_query(text: str) -> dict[str, Any]:
    """Every word in some field (cross_fields, AND); exact or prefix names rank first."""
    return {
        "bool": {
            "must": [
                {
                    "multi_match": {
                        "query": text,
                        "type": "cross_fields",
                        "operator": "and",
                        "fields": ["name^3", "asset_id.text^2", "tag_pairs.text"],
                    }
                }
            ],
            "should": [
                {"term": {"name.raw": {"value": text.strip(), "boost": 10}}},
                {"term": {"asset_id": {"value": text.strip(), "boost": 10}}},
                {"prefix": {"name.raw": {"value": text.strip(), "boost": 2}}},
            ],
        }
    }


def _filters(query: SearchQuery) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for name in ("resource_type", "account_id", "region", "deleted"):
        if query.filters.get(name):
            found.append({"terms": {name: list(query.filters[name])}})
    for key in query.filters.get("tag_keys", ()):
        found.append({"term": {"tag_keys": key}})
    for pairs in tag_filters(query.filters.get("tag_pairs", ())).values():
        found.append({"terms": {"tag_pairs": pairs}})
    return found


def _sort(query: SearchQuery) -> list[dict[str, Any]]:
    field = query.sort_field
    if field == "relevance":
        return [{"_score": "desc"}, {"asset_id": "asc"}]
    return [{SORT_COLUMNS.get(field, field): query.order}, {"asset_id": "asc"}]


def request_body(query: SearchQuery) -> dict[str, Any]:
    """The _search body: one extra hit tells whether a next page exists."""
    must = [_text_query(query.text)] if query.text else [{"match_all": {}}]
    aggs: dict[str, Any] = {f: {"terms": {"field": f, "size": FACET_SIZE}} for f in FACET_FIELDS}
    aggs["tag_pairs"] = {"terms": {"field": "tag_pairs", "size": TAG_PAIR_FACET_SIZE}}
    body: dict[str, Any] = {
        "query": {"bool": {"must": must, "filter": _filters(query)}},
        "size": query.size + 1,
        "sort": _sort(query),
        "track_total_hits": True,
        "aggs": aggs,
    }
    after = query.after()
    if after is not None:
        body["search_after"] = after
    else:
        body["from"] = query.offset
    return body


def parse_page(query: SearchQuery, result: dict[str, Any]) -> SearchPage:
    """A :class:`SearchPage` from a _search response to :func:`request_body`."""
    hits = result["hits"]["hits"]
    aggs = result["aggregations"]
    facets = {f: {b["key"]: b["doc_count"] for b in aggs[f]["buckets"]} for f in FACET_FIELDS}
    pairs = aggs["tag_pairs"]["buckets"]
    facets.update(tag_value_facets((b["key"], b["doc_count"]) for b in pairs))
    next_cursor = None
    if len(hits) > query.size:
        last_sort = hits[query.size - 1]["sort"]
        next_cursor = encode_cursor(query.sort_field, query.order, list(last_sort))
    return SearchPage(
        total=int(result["hits"]["total"]["value"]),
        items=[hit["_source"] for hit in hits[: query.size]],
        facets=facets,
        next_cursor=next_cursor,
    )
