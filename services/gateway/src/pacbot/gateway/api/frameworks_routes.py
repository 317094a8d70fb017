"""Public routes over the frameworks: the catalogue (assessor) and compliance by control
(violations)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from pacbot.gateway.api.upstream import forward, segment
from pacbot.gateway.authorize import authorize

router = APIRouter(prefix="/api/v1", tags=["frameworks"], dependencies=[Depends(authorize)])


@router.get("/frameworks")
async def list_frameworks(request: Request) -> Response:
    """Known frameworks with their size and how many controls the loaded policies judge."""
    return await forward(request, "assessor", "/frameworks")


@router.get("/frameworks/{framework_id}")
async def get_framework(framework_id: str, request: Request) -> Response:
    """A framework's controls in order, each with the policies mapped to it."""
    return await forward(request, "assessor", f"/frameworks/{segment(framework_id)}")


@router.get("/compliance/frameworks/{framework_id}")
async def framework_compliance(framework_id: str, request: Request) -> Response:
    """Each control of a framework: pass, fail or not evaluated in a scope, with its policies."""
    return await forward(request, "violations", f"/compliance/frameworks/{segment(framework_id)}")
