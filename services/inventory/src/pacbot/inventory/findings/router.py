"""``GET /assets/{asset_id}/findings`` and ``GET /findings/summary``: detector figures."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from pacbot.common.web import DbSession, NotFound
from pacbot.inventory.findings import service
from pacbot.inventory.findings.schemas import AssetFindings, EstateFindings
from pacbot.inventory.models import Asset

router = APIRouter(tags=["findings"])
ExpiringDays = Annotated[
    int, Query(ge=1, le=365, description="a certificate expiring within this many days counts")
]


@router.get("/assets/{asset_id:path}/findings", response_model=AssetFindings)
async def asset_findings(
    asset_id: str, session: DbSession, expiring_days: ExpiringDays = 30
) -> AssetFindings:
    """Vulnerabilities, threats, patch state and certificate expiry of one current asset."""
    asset = await session.get(Asset, asset_id)
    if asset is None or asset.deleted:
        raise NotFound(f"no current asset {asset_id!r}", field="asset_id")
    return await service.asset_findings(session, asset, expiring_days)


@router.get("/findings/summary", response_model=EstateFindings)
async def estate_findings(
    session: DbSession,
    account_id: Annotated[list[str] | None, Query()] = None,
    expiring_days: ExpiringDays = 30,
) -> EstateFindings:
    """Detector figures across the estate (or the given accounts), counted by severity."""
    return await service.estate_findings(session, account_id or [], expiring_days)
