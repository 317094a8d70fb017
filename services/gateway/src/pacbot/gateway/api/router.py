"""Public routes over the assessor (policies) and autofix (fix plans)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from pacbot.gateway.api.upstream import forward, segment
from pacbot.gateway.authorize import authorize

router = APIRouter(prefix="/api/v1", tags=["policies", "fixes"], dependencies=[Depends(authorize)])


@router.get("/policies")
async def list_policies(request: Request) -> Response:
    """The policy registry (assessor)."""
    return await forward(request, "assessor", "/policies")


@router.post("/policies/whatif")
async def policy_what_if(request: Request) -> Response:
    """Evaluate a draft policy (YAML text or JSON document) against the current inventory."""
    return await forward(request, "assessor", "/policies/whatif", body=True)


@router.get("/policies/{policy_id}")
async def get_policy(policy_id: str, request: Request) -> Response:
    """One policy."""
    return await forward(request, "assessor", f"/policies/{segment(policy_id)}")


@router.patch("/policies/{policy_id}")
async def update_policy(policy_id: str, request: Request) -> Response:
    """Enable, disable or re-parameterise a policy (admin; audited with the caller's identity)."""
    return await forward(request, "assessor", f"/policies/{segment(policy_id)}")


@router.get("/policies/{policy_id}/history")
async def policy_history(policy_id: str, request: Request) -> Response:
    """The audited registry changes of one policy, newest first."""
    return await forward(request, "assessor", f"/policies/{segment(policy_id)}/history")


@router.get("/fixes")
async def list_fixes(request: Request) -> Response:
    """Autofix plans, by status or violation."""
    return await forward(request, "autofix", "/plans")


@router.get("/fixes/{plan_id}")
async def get_fix(plan_id: str, request: Request) -> Response:
    """One autofix plan with its backup."""
    return await forward(request, "autofix", f"/plans/{segment(plan_id)}")
