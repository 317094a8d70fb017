"""Routes of the public API; each one names the service that answers it."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select

from pacbot.common.web import AppRuntime, DbSession
from pacbot.gateway.api.upstream import forward, query_of, segment
from pacbot.gateway.models import AuditEntry

router = APIRouter(prefix="/api/v1", tags=["public"])


@router.get("/assets")
async def list_assets(request: Request, runtime: AppRuntime) -> Response:
    """Assets from the inventory, filtered and paged."""
    return await forward(runtime, "inventory", "GET", "/assets", params=query_of(request))


@router.get("/assets/search")
async def search_assets(request: Request, runtime: AppRuntime) -> Response:
    """Full-text and faceted asset search."""
    return await forward(runtime, "inventory", "GET", "/assets/search", params=query_of(request))


@router.get("/assets/{asset_id:path}")
async def get_asset(asset_id: str, runtime: AppRuntime) -> Response:
    """One asset; its id is an ARN, so ``:`` and ``/`` stay as they are."""
    return await forward(runtime, "inventory", "GET", f"/assets/{quote(asset_id, safe=':/')}")


@router.get("/groups")
async def list_groups(runtime: AppRuntime) -> Response:
    """Asset groups with their current member counts (inventory)."""
    return await forward(runtime, "inventory", "GET", "/groups")


@router.post("/groups")
async def create_group(request: Request, runtime: AppRuntime) -> Response:
    """Create an asset group; validation errors come back from the inventory."""
    return await forward(runtime, "inventory", "POST", "/groups", request=request)


@router.get("/groups/{name}")
async def get_group(name: str, runtime: AppRuntime) -> Response:
    """One asset group with its member count and breakdown."""
    return await forward(runtime, "inventory", "GET", f"/groups/{segment(name)}")


@router.get("/groups/{name}/assets")
async def group_assets(name: str, request: Request, runtime: AppRuntime) -> Response:
    """A page of an asset group's current members."""
    path = f"/groups/{segment(name)}/assets"
    return await forward(runtime, "inventory", "GET", path, params=query_of(request))


@router.put("/groups/{name}")
async def update_group(name: str, request: Request, runtime: AppRuntime) -> Response:
    """Replace an asset group's description and criteria."""
    path = f"/groups/{segment(name)}"
    return await forward(runtime, "inventory", "PUT", path, request=request)


@router.delete("/groups/{name}")
async def delete_group(name: str, request: Request, runtime: AppRuntime) -> Response:
    """Remove an asset group."""
    path = f"/groups/{segment(name)}"
    return await forward(runtime, "inventory", "DELETE", path, request=request)


@router.post("/scans")
async def trigger_scan(request: Request, runtime: AppRuntime) -> Response:
    """Run inventory sweeps now and return their outcome."""
    return await forward(runtime, "inventory", "POST", "/scans", request=request)


@router.get("/policies")
async def list_policies(request: Request, runtime: AppRuntime) -> Response:
    """The policy registry (assessor)."""
    return await forward(runtime, "assessor", "GET", "/policies", params=query_of(request))


@router.get("/policies/{policy_id}")
async def get_policy(policy_id: str, runtime: AppRuntime) -> Response:
    """One policy."""
    return await forward(runtime, "assessor", "GET", f"/policies/{segment(policy_id)}")


@router.post("/policies/whatif")
async def policy_what_if(request: Request, runtime: AppRuntime) -> Response:
    """Evaluate a draft policy (YAML text or JSON document) against the current inventory."""
    return await forward(
        runtime, "assessor", "POST", "/policies/whatif", params=query_of(request), request=request
    )


@router.patch("/policies/{policy_id}")
async def update_policy(policy_id: str, request: Request, runtime: AppRuntime) -> Response:
    """Enable, disable or re-parameterise a policy (audited by the assessor)."""
    path = f"/policies/{segment(policy_id)}"
    return await forward(runtime, "assessor", "PATCH", path, request=request)


@router.get("/policies/{policy_id}/history")
async def policy_history(policy_id: str, request: Request, runtime: AppRuntime) -> Response:
    """The audited registry changes of one policy, newest first."""
    path = f"/policies/{segment(policy_id)}/history"
    return await forward(runtime, "assessor", "GET", path, params=query_of(request))


@router.get("/fixes")
async def list_fixes(request: Request, runtime: AppRuntime) -> Response:
    """Autofix plans, by status or violation."""
    return await forward(runtime, "autofix", "GET", "/plans", params=query_of(request))


@router.get("/fixes/{plan_id}")
async def get_fix(plan_id: str, runtime: AppRuntime) -> Response:
    """One autofix plan with its backup."""
    return await forward(runtime, "autofix", "GET", f"/plans/{segment(plan_id)}")


@router.get("/audit")
async def list_audit(
    session: DbSession, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> dict[str, list[dict[str, object]]]:
    """The most recent write calls made through this gateway."""
    rows = (
        await session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))
    ).all()
    return {
        "items": [
            {"method": r.method, "path": r.path, "status": r.status, "at": r.at.isoformat()}
            for r in rows
        ]
    }
