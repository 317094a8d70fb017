"""Public routes over the assessor (policies) and autofix (the fix catalogue, plans, pauses)."""

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


# --- fixes: /fixes/catalog and /fixes/pauses are declared before /fixes/{plan_id}


@router.get("/fixes/catalog")
async def fix_catalog(request: Request) -> Response:
    """Every registered fix: the policies it answers, its permissions, reversibility, backup."""
    return await forward(request, "autofix", "/fixes/catalog")


@router.get("/fixes/pauses")
async def list_fix_pauses(request: Request) -> Response:
    """Policies whose fixes stopped because their blast-radius cap tripped, newest first."""
    return await forward(request, "autofix", "/fixes/pauses")


@router.post("/fixes/pauses/{policy_id}/resume")
async def resume_fixes(policy_id: str, request: Request) -> Response:
    """Resume a paused policy's fixes (security); its held plans run again through every guard."""
    return await forward(request, "autofix", f"/fixes/pauses/{segment(policy_id)}/resume")


@router.get("/fixes")
async def list_fixes(request: Request) -> Response:
    """Fix plans, newest first, by status, violation, policy, account and/or kind."""
    return await forward(request, "autofix", "/fixes")


@router.post("/fixes")
async def fix_now(request: Request) -> Response:
    """Fix one open violation now (security); still re-checked and guarded: 202 with the plan."""
    return await forward(request, "autofix", "/fixes")


@router.get("/fixes/{plan_id}")
async def get_fix(plan_id: str, request: Request) -> Response:
    """One fix plan with its backup, the calls it made, its history and notifications."""
    return await forward(request, "autofix", f"/fixes/{segment(plan_id)}")


@router.post("/fixes/{plan_id}/rollback")
async def rollback_fix(plan_id: str, request: Request) -> Response:
    """Restore an applied fix's backup (security): 202 with the rollback plan."""
    return await forward(request, "autofix", f"/fixes/{segment(plan_id)}/rollback")


@router.post("/fixes/{plan_id}/cancel")
async def cancel_fix(plan_id: str, request: Request) -> Response:
    """Cancel a plan that has not acted yet (security)."""
    return await forward(request, "autofix", f"/fixes/{segment(plan_id)}/cancel")


@router.post("/fixes/{plan_id}/postpone")
async def postpone_fix(plan_id: str, request: Request) -> Response:
    """Move a pending plan's due time, to ``until`` or by ``seconds`` (security)."""
    return await forward(request, "autofix", f"/fixes/{segment(plan_id)}/postpone")
