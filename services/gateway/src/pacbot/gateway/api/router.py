"""Routes of the public API; each one names the service that answers it."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select

from pacbot.common.web import AppRuntime, DbSession
from pacbot.gateway.api.upstream import forward
from pacbot.gateway.models import AuditEntry

router = APIRouter(prefix="/api/v1", tags=["public"])


def _query(request: Request) -> list[tuple[str, str]]:
    return request.query_params.multi_items()


def _segment(value: str) -> str:
    return quote(value, safe="")


@router.get("/compliance/summary")
async def compliance_summary(request: Request, runtime: AppRuntime) -> Response:
    """Compliance percentages overall and per policy (violations service)."""
    return await forward(
        runtime, "violations", "GET", "/compliance/summary", params=_query(request)
    )


@router.get("/violations")
async def list_violations(request: Request, runtime: AppRuntime) -> Response:
    """Violations, filtered by status, policy, asset, account, severity or type."""
    return await forward(runtime, "violations", "GET", "/violations", params=_query(request))


@router.get("/violations/{violation_id}")
async def get_violation(violation_id: str, runtime: AppRuntime) -> Response:
    """One violation with its timeline."""
    return await forward(runtime, "violations", "GET", f"/violations/{_segment(violation_id)}")


@router.get("/assets")
async def list_assets(request: Request, runtime: AppRuntime) -> Response:
    """Assets from the inventory, filtered and paged."""
    return await forward(runtime, "inventory", "GET", "/assets", params=_query(request))


@router.get("/assets/search")
async def search_assets(request: Request, runtime: AppRuntime) -> Response:
    """Full-text and faceted asset search."""
    return await forward(runtime, "inventory", "GET", "/assets/search", params=_query(request))


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
    return await forward(runtime, "inventory", "GET", f"/groups/{_segment(name)}")


@router.get("/groups/{name}/assets")
async def group_assets(name: str, request: Request, runtime: AppRuntime) -> Response:
    """A page of an asset group's current members."""
    path = f"/groups/{_segment(name)}/assets"
    return await forward(runtime, "inventory", "GET", path, params=_query(request))


@router.put("/groups/{name}")
async def update_group(name: str, request: Request, runtime: AppRuntime) -> Response:
    """Replace an asset group's description and criteria."""
    path = f"/groups/{_segment(name)}"
    return await forward(runtime, "inventory", "PUT", path, request=request)


@router.delete("/groups/{name}")
async def delete_group(name: str, request: Request, runtime: AppRuntime) -> Response:
    """Remove an asset group."""
    path = f"/groups/{_segment(name)}"
    return await forward(runtime, "inventory", "DELETE", path, request=request)


@router.post("/scans")
async def trigger_scan(request: Request, runtime: AppRuntime) -> Response:
    """Run inventory sweeps now and return their outcome."""
    return await forward(runtime, "inventory", "POST", "/scans", request=request)


@router.get("/policies")
async def list_policies(request: Request, runtime: AppRuntime) -> Response:
    """The policy registry (assessor)."""
    return await forward(runtime, "assessor", "GET", "/policies", params=_query(request))


@router.get("/policies/{policy_id}")
async def get_policy(policy_id: str, runtime: AppRuntime) -> Response:
    """One policy."""
    return await forward(runtime, "assessor", "GET", f"/policies/{_segment(policy_id)}")


@router.post("/policies/whatif")
async def policy_what_if(request: Request, runtime: AppRuntime) -> Response:
    """Evaluate a draft policy (YAML text or JSON document) against the current inventory."""
    return await forward(
        runtime, "assessor", "POST", "/policies/whatif", params=_query(request), request=request
    )


@router.patch("/policies/{policy_id}")
async def update_policy(policy_id: str, request: Request, runtime: AppRuntime) -> Response:
    """Enable, disable or re-parameterise a policy (audited by the assessor)."""
    path = f"/policies/{_segment(policy_id)}"
    return await forward(runtime, "assessor", "PATCH", path, request=request)


@router.get("/policies/{policy_id}/history")
async def policy_history(policy_id: str, request: Request, runtime: AppRuntime) -> Response:
    """The audited registry changes of one policy, newest first."""
    path = f"/policies/{_segment(policy_id)}/history"
    return await forward(runtime, "assessor", "GET", path, params=_query(request))


@router.get("/exceptions")
async def list_exceptions(request: Request, runtime: AppRuntime) -> Response:
    """Exceptions, optionally by status."""
    return await forward(runtime, "exceptions", "GET", "/exceptions", params=_query(request))


@router.post("/exceptions")
async def request_exception(request: Request, runtime: AppRuntime) -> Response:
    """Grant a resource exception; validation errors come back from the exceptions service."""
    return await forward(runtime, "exceptions", "POST", "/exceptions", request=request)


@router.get("/exceptions/{exception_id}")
async def get_exception(exception_id: str, runtime: AppRuntime) -> Response:
    """One exception."""
    return await forward(runtime, "exceptions", "GET", f"/exceptions/{_segment(exception_id)}")


@router.post("/exceptions/{exception_id}/revoke")
async def revoke_exception(exception_id: str, request: Request, runtime: AppRuntime) -> Response:
    """End an exception early."""
    path = f"/exceptions/{_segment(exception_id)}/revoke"
    return await forward(runtime, "exceptions", "POST", path, request=request)


@router.get("/fixes")
async def list_fixes(request: Request, runtime: AppRuntime) -> Response:
    """Autofix plans, by status or violation."""
    return await forward(runtime, "autofix", "GET", "/plans", params=_query(request))


@router.get("/fixes/{plan_id}")
async def get_fix(plan_id: str, runtime: AppRuntime) -> Response:
    """One autofix plan with its backup."""
    return await forward(runtime, "autofix", "GET", f"/plans/{_segment(plan_id)}")


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
