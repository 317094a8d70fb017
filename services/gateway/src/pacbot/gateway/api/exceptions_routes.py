"""Public routes over the exceptions service: request, preview, approve, reject, revoke, read.

The exceptions service decides who may do what from the signed identity the gateway sends.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from pacbot.gateway.api.upstream import forward, segment
from pacbot.gateway.authorize import authorize

router = APIRouter(prefix="/api/v1", tags=["exceptions"], dependencies=[Depends(authorize)])


@router.get("/exceptions")
async def list_exceptions(request: Request) -> Response:
    """Exceptions, filtered (status, kind, policy_id, requester, expiring_within_days) and paged."""
    return await forward(request, "exceptions", "/exceptions")


@router.post("/exceptions")
async def request_exception(request: Request) -> Response:
    """Request a resource or sticky exception; it stays pending until approved."""
    return await forward(request, "exceptions", "/exceptions")


@router.post("/exceptions/preview")
async def preview_exception(request: Request) -> Response:
    """The open violations a request would exempt if granted now; changes nothing."""
    return await forward(request, "exceptions", "/exceptions/preview")


@router.get("/exceptions/{exception_id}")
async def get_exception(exception_id: str, request: Request) -> Response:
    """One exception with its history."""
    return await forward(request, "exceptions", f"/exceptions/{segment(exception_id)}")


@router.post("/exceptions/{exception_id}/approve")
async def approve_exception(exception_id: str, request: Request) -> Response:
    """Grant a pending exception (security role; never its requester)."""
    return await forward(request, "exceptions", f"/exceptions/{segment(exception_id)}/approve")


@router.post("/exceptions/{exception_id}/reject")
async def reject_exception(exception_id: str, request: Request) -> Response:
    """Turn a pending exception down, with a reason."""
    return await forward(request, "exceptions", f"/exceptions/{segment(exception_id)}/reject")


@router.post("/exceptions/{exception_id}/revoke")
async def revoke_exception(exception_id: str, request: Request) -> Response:
    """End a pending or active exception early, with a reason."""
    return await forward(request, "exceptions", f"/exceptions/{segment(exception_id)}/revoke")
