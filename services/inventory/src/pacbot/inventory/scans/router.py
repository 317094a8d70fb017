"""HTTP surface of scans: trigger sweeps now, list recent ones."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter

from pacbot.common.auth import require
from pacbot.common.paging import PageRequest, paging
from pacbot.common.web import DbSession
from pacbot.inventory.deps import AppDiscovery, Planner
from pacbot.inventory.scans import service
from pacbot.inventory.scans.schemas import ScanRequest, ScanResult, SweepOut, SweepPage

router = APIRouter(prefix="/scans", tags=["scans"])
Sweeps = Annotated[PageRequest, paging(50, 500)]


@router.post("", response_model=ScanResult, dependencies=[require("security", "service")])
async def start_scan(
    planner: Planner, discovery: AppDiscovery, body: ScanRequest | None = None
) -> ScanResult:
    """Run the sweeps now; a failed sweep is reported in the result, not as an HTTP error."""
    sweeps = await service.run_scan(planner, discovery, body or ScanRequest())
    return ScanResult(sweeps=[SweepOut.model_validate(s) for s in sweeps])


@router.get("", response_model=SweepPage)
async def list_scans(
    session: DbSession,
    page: Sweeps,
    account_id: str | None = None,
    status: Literal["running", "succeeded", "failed"] | None = None,
) -> SweepPage:
    """Recent sweeps, newest first."""
    window = page.window("inventory.scans", {"account_id": account_id, "status": status})
    rows = await service.recent_sweeps(
        session, limit=window.fetch, offset=window.start, account_id=account_id, status=status
    )
    sweeps, next_cursor = window.page([SweepOut.model_validate(s) for s in rows])
    return SweepPage(items=sweeps, sweeps=sweeps, next_cursor=next_cursor)
