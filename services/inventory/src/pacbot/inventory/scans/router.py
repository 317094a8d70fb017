"""HTTP surface of scans: trigger sweeps now, list recent ones."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from pacbot.common.auth import require
from pacbot.common.web import DbSession
from pacbot.inventory.deps import AppDiscovery, Planner
from pacbot.inventory.scans import service
from pacbot.inventory.scans.schemas import ScanRequest, ScanResult, SweepOut

router = APIRouter(prefix="/scans", tags=["scans"])


@router.post("", response_model=ScanResult, dependencies=[require("security", "service")])
async def start_scan(
    planner: Planner, discovery: AppDiscovery, body: ScanRequest | None = None
) -> ScanResult:
    """Run the sweeps now; a failed sweep is reported in the result, not as an HTTP error."""
    sweeps = await service.run_scan(planner, discovery, body or ScanRequest())
    return ScanResult(sweeps=[SweepOut.model_validate(s) for s in sweeps])


@router.get("", response_model=ScanResult)
async def list_scans(
    session: DbSession,
    account_id: str | None = None,
    status: Literal["running", "succeeded", "failed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> ScanResult:
    """Recent sweeps, newest first."""
    sweeps = await service.recent_sweeps(session, limit=limit, account_id=account_id, status=status)
    return ScanResult(sweeps=[SweepOut.model_validate(s) for s in sweeps])
