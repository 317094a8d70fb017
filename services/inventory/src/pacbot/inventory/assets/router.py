"""HTTP surface of assets: list, search, reindex, replay, and one asset by id."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from pacbot.common.auth import require
from pacbot.common.paging import PageRequest, Paging, paging
from pacbot.common.search import MAX_SIZE, MAX_WINDOW, SORT_FIELDS
from pacbot.common.web import AppRuntime, DbSession, DomainError
from pacbot.inventory.assets import repository, service
from pacbot.inventory.assets.schemas import (
    AssetOut,
    AssetPage,
    ReindexResult,
    ReplayRequest,
    ReplayResult,
    SearchResult,
)
from pacbot.inventory.deps import Search

router = APIRouter(prefix="/assets", tags=["assets"])
SearchPaging = Annotated[PageRequest, paging(50, MAX_SIZE, max_offset=MAX_WINDOW)]


@router.get("", response_model=AssetPage)
async def list_assets(
    session: DbSession,
    page: Paging,
    resource_type: str | None = None,
    account_id: str | None = None,
    region: str | None = None,
    include_deleted: bool = False,
) -> AssetPage:
    """Assets by exact filters, ordered by id."""
    where = repository.AssetFilter(resource_type, account_id, region, include_deleted)
    window = page.window("inventory.assets", where)
    rows, total = await repository.page(session, where, limit=window.fetch, offset=window.start)
    items, next_cursor = window.page(rows)
    return AssetPage(
        items=[AssetOut.model_validate(a) for a in items], total=total, next_cursor=next_cursor
    )


@router.get("/search", response_model=SearchResult)
async def search_assets(
    backend: Search,
    page: SearchPaging,
    q: str | None = None,
    resource_type: Annotated[list[str] | None, Query()] = None,
    account_id: Annotated[list[str] | None, Query()] = None,
    region: Annotated[list[str] | None, Query()] = None,
    tag: Annotated[list[str] | None, Query(description="KEY=VALUE")] = None,
    tag_key: Annotated[list[str] | None, Query(description="assets having every key")] = None,
    sort: Annotated[str | None, Query(description=f"one of {SORT_FIELDS}")] = None,
    order: Annotated[Literal["asc", "desc"], Query()] = "asc",
    size: Annotated[
        int | None, Query(ge=1, le=MAX_SIZE, deprecated=True, description="old name of limit")
    ] = None,
) -> SearchResult:
    """Full-text search with filters, sorting, cursor paging and facets (OpenSearch or the DB)."""
    if size is not None:
        if page.limit_given and page.limit != size:
            raise DomainError(
                f"size is the old name of limit; give one ({page.limit} or {size})", field="size"
            )
        page = replace(page, limit=size)
    filters = {
        "resource_type": resource_type or [],
        "account_id": account_id or [],
        "region": region or [],
        "tag_pairs": service.parse_tags(tag or []),
        "tag_keys": tag_key or [],
        "deleted": ["false"],
    }
    found = await service.search(backend, page, text=q, filters=filters, sort=sort, order=order)
    return SearchResult(
        total=found.total, items=found.items, facets=found.facets, next_cursor=found.next_cursor
    )


@router.post("/reindex", response_model=ReindexResult, dependencies=[require("service")])
async def reindex_assets(runtime: AppRuntime, backend: Search) -> ReindexResult:
    """Rebuild the search index from the assets table and swap it in."""
    rebuilt = await service.reindex(runtime.db, backend)
    return ReindexResult(indexed=rebuilt.indexed, index=rebuilt.index)


@router.post("/replay", response_model=ReplayResult, dependencies=[require("service")])
async def replay_assets(
    session: DbSession, runtime: AppRuntime, body: ReplayRequest | None = None
) -> ReplayResult:
    """Re-emit current assets so consumers (the assessor) can re-evaluate them."""
    types = body.resource_types if body else None
    return ReplayResult(replayed=await service.replay(session, runtime.outbox, types))


@router.get("/{asset_id:path}", response_model=AssetOut)
async def get_asset(asset_id: str, session: DbSession) -> AssetOut:
    """One asset by id (ARNs contain ``:`` and ``/``), deleted or not."""
    return AssetOut.model_validate(await service.get_asset(session, asset_id))
