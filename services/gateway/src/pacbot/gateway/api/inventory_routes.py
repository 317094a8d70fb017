"""Public routes over the inventory: accounts, sweeps, assets, groups and the resource catalogue."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from pacbot.gateway.api.upstream import asset_path, forward, segment
from pacbot.gateway.authorize import authorize

router = APIRouter(prefix="/api/v1", tags=["inventory"], dependencies=[Depends(authorize)])
SIGNATURE_HEADER = "X-PacBot-Signature"


@router.get("/accounts")
async def list_accounts(request: Request) -> Response:
    """Onboarded accounts with their validation status (external ids are never shown)."""
    return await forward(request, "inventory", "/accounts")


@router.post("/accounts")
async def onboard_account(request: Request) -> Response:
    """Onboard an account (its role is assumed at once to prove access)."""
    return await forward(request, "inventory", "/accounts")


@router.post("/accounts/organization")
async def import_organization(request: Request) -> Response:
    """Onboard every active member of the AWS Organization."""
    return await forward(request, "inventory", "/accounts/organization")


@router.get("/accounts/{account_id}")
async def get_account(account_id: str, request: Request) -> Response:
    """One account."""
    return await forward(request, "inventory", f"/accounts/{segment(account_id)}")


@router.patch("/accounts/{account_id}")
async def update_account(account_id: str, request: Request) -> Response:
    """Enable, disable, rename or re-region an account."""
    return await forward(request, "inventory", f"/accounts/{segment(account_id)}")


@router.post("/accounts/{account_id}/validate")
async def validate_account(account_id: str, request: Request) -> Response:
    """Check an account's access again."""
    return await forward(request, "inventory", f"/accounts/{segment(account_id)}/validate")


@router.get("/scans")
async def list_sweeps(request: Request) -> Response:
    """Recent sweeps: when, what, counts, and why one failed."""
    return await forward(request, "inventory", "/scans")


@router.post("/scans")
async def trigger_scan(request: Request) -> Response:
    """Run inventory sweeps now and return their outcome."""
    return await forward(request, "inventory", "/scans")


@router.get("/resources")
async def resource_types(request: Request) -> Response:
    """The resource types the inventory discovers."""
    return await forward(request, "inventory", "/resources")


@router.get("/resources/iam-policy")
async def iam_policy(request: Request) -> Response:
    """The read-only IAM policy the discovery role needs."""
    return await forward(request, "inventory", "/resources/iam-policy")


@router.get("/assets")
async def list_assets(request: Request) -> Response:
    """Assets from the inventory, filtered and paged."""
    return await forward(request, "inventory", "/assets")


@router.get("/assets/search")
async def search_assets(request: Request) -> Response:
    """Full-text and faceted asset search."""
    return await forward(request, "inventory", "/assets/search")


@router.post("/assets/replay")
async def replay_assets(request: Request) -> Response:
    """Re-announce the current assets of some types (internal; admin only)."""
    return await forward(request, "inventory", "/assets/replay")


@router.post("/assets/reindex")
async def reindex_assets(request: Request) -> Response:
    """Rebuild the search index with no downtime (internal; admin only)."""
    return await forward(request, "inventory", "/assets/reindex")


@router.get("/assets/{asset_id:path}/history")
async def asset_history(asset_id: str, request: Request) -> Response:
    """What changed in each version of an asset."""
    return await forward(request, "inventory", f"/assets/{asset_path(asset_id)}/history")


@router.get("/assets/{asset_id:path}/findings")
async def asset_findings(asset_id: str, request: Request) -> Response:
    """What AWS's detectors say about an asset: vulnerabilities, threats, patches, certificates."""
    return await forward(request, "inventory", f"/assets/{asset_path(asset_id)}/findings")


@router.get("/findings/summary")
async def findings_summary(request: Request) -> Response:
    """Detector figures across the estate: findings by severity, patching, certificate expiry."""
    return await forward(request, "inventory", "/findings/summary")


@router.get("/assets/{asset_id:path}")
async def get_asset(asset_id: str, request: Request) -> Response:
    """One asset by id (an ARN; ``/`` in it is sent encoded, never as a path separator)."""
    return await forward(request, "inventory", f"/assets/{asset_path(asset_id)}")


@router.post("/events/aws")
async def aws_change_event(request: Request) -> Response:
    """An EventBridge/CloudTrail change event: re-discover that resource (admin; signed body)."""
    signature = request.headers.get(SIGNATURE_HEADER)
    extra = {SIGNATURE_HEADER: signature} if signature else {}
    return await forward(request, "inventory", "/events/aws", extra_headers=extra)


@router.get("/groups")
async def list_groups(request: Request) -> Response:
    """Asset groups with their current member counts."""
    return await forward(request, "inventory", "/groups")


@router.post("/groups")
async def create_group(request: Request) -> Response:
    """Create an asset group; validation errors come back from the inventory."""
    return await forward(request, "inventory", "/groups")


@router.get("/groups/{name}")
async def get_group(name: str, request: Request) -> Response:
    """One asset group with its member count and breakdown."""
    return await forward(request, "inventory", f"/groups/{segment(name)}")


@router.get("/groups/{name}/assets")
async def group_assets(name: str, request: Request) -> Response:
    """A page of an asset group's current members."""
    return await forward(request, "inventory", f"/groups/{segment(name)}/assets")


@router.put("/groups/{name}")
async def update_group(name: str, request: Request) -> Response:
    """Replace an asset group's description and criteria."""
    return await forward(request, "inventory", f"/groups/{segment(name)}")


@router.delete("/groups/{name}")
async def delete_group(name: str, request: Request) -> Response:
    """Remove an asset group."""
    return await forward(request, "inventory", f"/groups/{segment(name)}")
