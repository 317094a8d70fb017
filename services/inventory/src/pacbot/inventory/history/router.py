"""``GET /assets/{asset_id}/history``: an asset's change history, newest first."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from pacbot.common.web import DbSession, NotFound
from pacbot.inventory.history import repository
from pacbot.inventory.models import Asset

router = APIRouter(tags=["assets"])


@router.get("/assets/{asset_id:path}/history")
async def asset_history(
    asset_id: str, session: DbSession, limit: Annotated[int, Query(ge=1, le=50)] = 50
) -> dict[str, Any]:
    """What changed in each version of the asset (bounded to the newest 50)."""
    if await session.get(Asset, asset_id) is None:
        raise NotFound(f"no asset {asset_id!r}", field="asset_id")
    entries = await repository.history(session, asset_id, limit)
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
    }
