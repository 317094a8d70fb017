"""Asset reads, search, and the replay the assessor asks for when policies change."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.outbox import Outbox
from pacbot.common.search import AssetSearch, SearchPage, SearchQuery
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


async def search(
    backend: AssetSearch,
    *,
    text: str | None,
    filters: dict[str, list[str]],
    size: int,
    offset: int,
) -> SearchPage:
    """Full-text and faceted search over current assets."""
    try:
        query = SearchQuery(
            text=text or None,
            filters={k: v for k, v in filters.items() if v},
            size=size,
            offset=offset,
        )
    except ValueError as exc:
        raise DomainError(str(exc)) from exc
    return await backend.search(query)


async def replay(
    session: AsyncSession, outbox: Outbox, resource_types: Sequence[str] | None
) -> int:
    """Re-emit asset.upserted (replay=true, same version) for every current asset of the types."""
    replayed = 0
    async for asset in repository.current(session, resource_types):
        await events.emit(session, outbox, events.upserted(asset, replay=True), asset)
        replayed += 1
    return replayed
