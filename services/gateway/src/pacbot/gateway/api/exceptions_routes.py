"""Public routes over the exceptions service: request, preview, approve, reject, revoke, read.

The caller's ``X-PacBot-User`` / ``X-PacBot-Roles`` go along with every call (``forward``); the
exceptions service decides who may do what.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from pacbot.common.web import AppRuntime
from pacbot.gateway.api.upstream import forward, query_of, segment

router = APIRouter(prefix="/api/v1", tags=["exceptions"])


@router.get("/exceptions")
async def list_exceptions(request: Request, runtime: AppRuntime) -> Response:
    """Exceptions, filtered (status, kind, policy_id, requester, expiring_within_days) and paged."""
    return await forward(
        runtime, "exceptions", "GET", "/exceptions", params=query_of(request), request=request
    )


@router.post("/exceptions")
async def request_exception(request: Request, runtime: AppRuntime) -> Response:
    """Request a resource or sticky exception; it stays pending until approved."""
    return await forward(runtime, "exceptions", "POST", "/exceptions", request=request)


@router.post("/exceptions/preview")
async def preview_exception(request: Request, runtime: AppRuntime) -> Response:
    """The open violations a request would exempt if granted now; changes nothing."""
    return await forward(
        runtime,
        "exceptions",
        "POST",
        "/exceptions/preview",
        params=query_of(request),
        request=request,
    )


@router.get("/exceptions/{exception_id}")
async def get_exception(exception_id: str, request: Request, runtime: AppRuntime) -> Response:
    """One exception with its history."""
    path = f"/exceptions/{segment(exception_id)}"
    return await forward(runtime, "exceptions", "GET", path, request=request)


async def _decide(exception_id: str, step: str, request: Request, runtime: AppRuntime) -> Response:
    path = f"/exceptions/{segment(exception_id)}/{step}"
    return await forward(runtime, "exceptions", "POST", path, request=request)


@router.post("/exceptions/{exception_id}/approve")
async def approve_exception(exception_id: str, request: Request, runtime: AppRuntime) -> Response:
    """Grant a pending exception (the approver role; not its requester)."""
    return await _decide(exception_id, "approve", request, runtime)


@router.post("/exceptions/{exception_id}/reject")
async def reject_exception(exception_id: str, request: Request, runtime: AppRuntime) -> Response:
    """Turn a pending exception down, with a reason."""
    return await _decide(exception_id, "reject", request, runtime)


@router.post("/exceptions/{exception_id}/revoke")
async def revoke_exception(exception_id: str, request: Request, runtime: AppRuntime) -> Response:
    """End a pending or active exception early, with a reason."""
    return await _decide(exception_id, "revoke", request, runtime)
