"""``GET /assets/{asset_id}/history``: an asset's change history, newest first."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter

from pacbot.common.paging import PageRequest, paging
from pacbot.common.web import DbSession, NotFound
from pacbot.inventory.history import repository
from pacbot.inventory.models import Asset

router = APIRouter(tags=["assets"])
Changes = Annotated[PageRequest, paging(50, 50)]  # an asset keeps its newest 50 changes


@router.get("/assets/{asset_id:path}/history")
async def asset_history(asset_id: str, session: DbSession, page: Changes) -> dict[str, Any]:
    """What changed in each version of the asset, newest first (the newest 50 are kept)."""
    if await session.get(Asset, asset_id) is None:
        raise NotFound(f"no asset {asset_id!r}", field="asset_id")
    window = page.window("inventory.history", asset_id)
    entries, next_cursor = window.page(
        await repository.history(session, asset_id, window.fetch, window.start)
    )
    return {
        "asset_id": asset_id,
        "items": [
            {
                "version": e.version,
                "change_type": e.change_type,
                "changed_at": e.changed_at.isoformat(),
                "changes": e.changes,
            }
            for e in entries
        ],
        "next_cursor": next_cursor,
    }
