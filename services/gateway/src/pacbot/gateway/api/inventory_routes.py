"""Public routes over the inventory's accounts, sweeps, change history and resource catalogue."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request, Response

from pacbot.common.web import AppRuntime
from pacbot.gateway.api.upstream import forward, segment

router = APIRouter(prefix="/api/v1", tags=["inventory"])


@router.get("/accounts")
async def list_accounts(runtime: AppRuntime) -> Response:
    """Onboarded accounts with their validation status."""
    return await forward(runtime, "inventory", "GET", "/accounts")


@router.post("/accounts")
async def onboard_account(request: Request, runtime: AppRuntime) -> Response:
    """Onboard an account (its role is assumed at once to prove access)."""
    return await forward(runtime, "inventory", "POST", "/accounts", request=request)


@router.post("/accounts/organization")
async def import_organization(request: Request, runtime: AppRuntime) -> Response:
    """Onboard every active member of the AWS Organization."""
    return await forward(runtime, "inventory", "POST", "/accounts/organization", request=request)


@router.get("/accounts/{account_id}")
async def get_account(account_id: str, runtime: AppRuntime) -> Response:
    """One account."""
    return await forward(runtime, "inventory", "GET", f"/accounts/{segment(account_id)}")


@router.patch("/accounts/{account_id}")
async def update_account(account_id: str, request: Request, runtime: AppRuntime) -> Response:
    """Enable, disable, rename or re-region an account."""
    path = f"/accounts/{segment(account_id)}"
    return await forward(runtime, "inventory", "PATCH", path, request=request)


@router.post("/accounts/{account_id}/validate")
async def validate_account(account_id: str, request: Request, runtime: AppRuntime) -> Response:
    """Check an account's access again."""
    path = f"/accounts/{segment(account_id)}/validate"
    return await forward(runtime, "inventory", "POST", path, request=request)


@router.get("/scans")
async def list_sweeps(request: Request, runtime: AppRuntime) -> Response:
    """Recent sweeps: when, what, counts, and why one failed."""
    params = request.query_params.multi_items()
    return await forward(runtime, "inventory", "GET", "/scans", params=params)


@router.get("/resources")
async def resource_types(runtime: AppRuntime) -> Response:
    """The resource types the inventory discovers."""
    return await forward(runtime, "inventory", "GET", "/resources")


@router.get("/resources/iam-policy")
async def iam_policy(runtime: AppRuntime) -> Response:
    """The read-only IAM policy the discovery role needs."""
    return await forward(runtime, "inventory", "GET", "/resources/iam-policy")


@router.get("/assets/{asset_id:path}/history")
async def asset_history(asset_id: str, request: Request, runtime: AppRuntime) -> Response:
    """What changed in each version of an asset."""
    path = f"/assets/{quote(asset_id, safe=':/')}/history"
    params = request.query_params.multi_items()
    return await forward(runtime, "inventory", "GET", path, params=params)
