"""Asset search: OpenSearch in a cluster, the owning service's database when embedded."""

from pacbot.common.search._base import AssetSearch, SearchPage, SearchQuery, search_document
from pacbot.common.search._database import DatabaseAssets, search_table
from pacbot.common.search._opensearch import ALIAS, OpenSearchAssets

__all__ = [
    "ALIAS",
    "AssetSearch",
    "DatabaseAssets",
    "OpenSearchAssets",
    "SearchPage",
    "SearchQuery",
    "search_document",
    "search_table",
]
