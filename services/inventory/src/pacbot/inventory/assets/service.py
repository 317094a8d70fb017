"""Asset reads, search, reindex, and the replay the assessor asks for when policies change."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.db import Database
from pacbot.common.outbox import Outbox
from pacbot.common.paging import InvalidCursor, PageRequest, encode_cursor, fingerprint
from pacbot.common.search import (
    AssetSearch,
    Rebuilt,
    SearchPage,
    SearchQuery,
    SearchQueryError,
    SearchUnavailable,
)
from pacbot.common.web import DomainError, NotFound
from pacbot.inventory.assets import repository
from pacbot.inventory.discovery import events
from pacbot.inventory.models import Asset


async def get_asset(session: AsyncSession, asset_id: str) -> Asset:
    """One asset, or 404."""
    asset = await repository.get(session, asset_id)
    if asset is None:
        raise NotFound(f"asset {asset_id} not found", field="asset_id")
    return asset


def parse_tags(pairs: Sequence[str]) -> list[str]:
    """``K=V`` tag filters, checked; a bare key is a client error."""
    for pair in pairs:
        key, sep, _value = pair.partition("=")
        if not sep or not key:
            raise DomainError(f"tag filter {pair!r} must look like KEY=VALUE", field="tag")
    return list(pairs)


class SearchDown(DomainError):
    """The search backend does not answer: 503, the rest of the inventory keeps working."""

    status_code = 503


# Search-contract field → the query parameter a client of /assets/search sent.
PARAMETERS = {"tag_pairs": "tag", "tag_keys": "tag_key", "text": "q", "size": "limit"}


async def search(
    backend: AssetSearch,
    page: PageRequest,
    *,
    text: str | None,
    filters: dict[str, list[str]],
    sort: str | None = None,
    order: str = "asc",
) -> SearchPage:
    """Full-text and faceted search over current assets; a bad parameter is a 400 naming it.

    The backend's own cursor (its search_after values) travels inside the contract's cursor,
    which ties it to the text, filters and sort that made it.
    """
    given = {k: v for k, v in filters.items() if v}
    query_key = {"q": text or None, "filters": given, "sort": sort or None, "order": order}
    mark = fingerprint("inventory.assets.search", query_key)
    after = page.position(mark)
    if after is not None and not isinstance(after, str):
        raise InvalidCursor.garbage()
    try:
        query = SearchQuery(
            text=text or None,
            filters=given,
            sort=sort or None,
            order=order,
            size=page.limit,
            offset=page.offset or 0,
            cursor=after,
        )
        found = await backend.search(query)
    except SearchQueryError as exc:
        field = PARAMETERS.get(exc.field or "", exc.field)
        raise DomainError(f"{field}: {exc.message}", field=field) from exc
    except SearchUnavailable as exc:
        raise SearchDown(f"asset search is unavailable, try again later ({exc})") from exc
    if found.next_cursor is None:
        return found
    return replace(found, next_cursor=encode_cursor(mark, found.next_cursor))


async def current_documents(db: Database, batch: int = 500) -> AsyncIterator[dict[str, Any]]:
    """Search fields of every non-deleted asset, read in short id-keyset transactions."""
    after: str | None = None
    while True:
        query = select(Asset).where(Asset.deleted.is_(False)).order_by(Asset.asset_id)
        if after is not None:
            query = query.where(Asset.asset_id > after)
        async with db.session() as session:
            chunk = list(await session.scalars(query.limit(batch)))
        for asset in chunk:
            yield events.search_fields(asset)
        if len(chunk) < batch:
            return
        after = chunk[-1].asset_id


async def reindex(db: Database, backend: AssetSearch) -> Rebuilt:
    """Rebuild the search index from the assets table (zero downtime on OpenSearch)."""
    return await backend.rebuild(current_documents(db))


async def replay(
    session: AsyncSession, outbox: Outbox, resource_types: Sequence[str] | None
) -> int:
    """Re-emit asset.upserted (replay=true, same version) for every current asset of the types."""
    replayed = 0
    async for asset in repository.current(session, resource_types):
        await events.emit(session, outbox, events.upserted(asset, replay=True), asset)
        replayed += 1
    return replayed
