"""Public routes over the exceptions service: request, approve, reject, revoke, read."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from pacbot.common.web import AppRuntime
from pacbot.gateway.api.upstream import forward, query_of, segment

router = APIRouter(prefix="/api/v1", tags=["exceptions"])


@router.get("/exceptions")
async def list_exceptions(request: Request, runtime: AppRuntime) -> Response:
    """Exceptions, optionally by status."""
    return await forward(runtime, "exceptions", "GET", "/exceptions", params=query_of(request))


@router.post("/exceptions")
async def request_exception(request: Request, runtime: AppRuntime) -> Response:
    """Grant a resource exception; validation errors come back from the exceptions service."""
    return await forward(runtime, "exceptions", "POST", "/exceptions", request=request)


@router.get("/exceptions/{exception_id}")
async def get_exception(exception_id: str, runtime: AppRuntime) -> Response:
    """One exception."""
    return await forward(runtime, "exceptions", "GET", f"/exceptions/{segment(exception_id)}")


@router.post("/exceptions/{exception_id}/revoke")
async def revoke_exception(exception_id: str, request: Request, runtime: AppRuntime) -> Response:
    """End an exception early."""
    path = f"/exceptions/{segment(exception_id)}/revoke"
    return await forward(runtime, "exceptions", "POST", path, request=request)
