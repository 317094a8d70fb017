"""Asset search: OpenSearch in a cluster, the owning service's database when embedded."""

from pacbot.common.search._base import (
    FILTER_FIELDS,
    MAX_SIZE,
    MAX_WINDOW,
    SORT_FIELDS,
    AssetSearch,
    DocumentSource,
    Rebuilt,
    SearchPage,
    SearchQuery,
    SearchUnavailable,
    search_document,
)
from pacbot.common.search._criteria import CRITERIA_FIELDS, matches, tag_values
from pacbot.common.search._cursor import SearchQueryError
from pacbot.common.search._database import DatabaseAssets, search_table
from pacbot.common.search._opensearch import ALIAS, OpenSearchAssets
from pacbot.common.search._os_query import INDEX_VERSION, MAPPING

__all__ = [
    "ALIAS",
    "CRITERIA_FIELDS",
    "FILTER_FIELDS",
    "INDEX_VERSION",
    "MAPPING",
    "MAX_SIZE",
    "MAX_WINDOW",
    "SORT_FIELDS",
    "AssetSearch",
    "DatabaseAssets",
    "DocumentSource",
    "OpenSearchAssets",
    "Rebuilt",
    "SearchPage",
    "SearchQuery",
    "SearchQueryError",
    "SearchUnavailable",
    "matches",
    "search_document",
    "search_table",
    "tag_values",
]
