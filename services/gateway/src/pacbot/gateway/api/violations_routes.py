"""Public routes over the violations service: violations, compliance figures, exports."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from pacbot.common.web import AppRuntime
from pacbot.gateway.api.upstream import forward, query_of, segment

router = APIRouter(prefix="/api/v1", tags=["violations"])


@router.get("/compliance/summary")
async def compliance_summary(request: Request, runtime: AppRuntime) -> Response:
    """Compliance percentages overall and per policy (violations service)."""
    return await forward(
        runtime, "violations", "GET", "/compliance/summary", params=query_of(request)
    )


@router.get("/violations")
async def list_violations(request: Request, runtime: AppRuntime) -> Response:
    """Violations, filtered by status, policy, asset, account, severity or type."""
    return await forward(runtime, "violations", "GET", "/violations", params=query_of(request))


@router.get("/violations/{violation_id}")
async def get_violation(violation_id: str, runtime: AppRuntime) -> Response:
    """One violation with its timeline."""
    return await forward(runtime, "violations", "GET", f"/violations/{segment(violation_id)}")
