"""HTTP surface of autofix: the fix catalogue, plans and their history, and what people do to them.

Reads are open to any authenticated caller; every write needs the ``security`` role (admin always
passes). ``/plans`` is the older name of the read routes and stays as an alias.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from sqlalchemy import select

from pacbot.autofix.fixes.catalog import catalog
from pacbot.autofix.models import FixPlan, PolicyPause
from pacbot.autofix.plans import history, repository
from pacbot.autofix.plans.commands import Commands
from pacbot.autofix.plans.schemas import (
    FixCatalog,
    FixInfo,
    FixNow,
    PauseList,
    PauseOut,
    PlanDetail,
    PlanKind,
    PlanList,
    PlanOut,
    PlanStatus,
    Postpone,
    Reasoned,
    StepOut,
)
from pacbot.common.auth import CurrentPrincipal, require
from pacbot.common.notify import Notifier
from pacbot.common.paging import MAX_LIMIT, PageRequest, paging
from pacbot.common.web import DbSession, NotFound

router = APIRouter(tags=["fixes"])
Plans = Annotated[PageRequest, paging(500, MAX_LIMIT)]
Catalog = Annotated[PageRequest, paging(500, 500)]
Pauses = Annotated[PageRequest, paging(100, 500)]
SECURITY = [require("security")]


def _commands(request: Request) -> Commands:
    commands: Commands = request.app.state.commands
    return commands


@router.get("/fixes/catalog")
async def fix_catalog(page: Catalog) -> FixCatalog:
    """Every registered fix: the policies it answers, its permissions, reversibility, backup."""
    items, next_cursor = page.window("autofix.catalog").of(catalog())
    return FixCatalog(items=[FixInfo.model_validate(e) for e in items], next_cursor=next_cursor)


@router.get("/fixes/pauses")
async def list_pauses(session: DbSession, page: Pauses, active: bool = False) -> PauseList:
    """Policies paused by their blast-radius cap, newest first (``active``: only in force)."""
    window = page.window("autofix.pauses", {"active": active})
    query = select(PolicyPause).order_by(PolicyPause.id.desc())
    if active:
        query = query.where(PolicyPause.resumed_at.is_(None))
    rows = (await session.scalars(query.limit(window.fetch).offset(window.start))).all()
    pauses, next_cursor = window.page(rows)
    return PauseList(
        items=[PauseOut.model_validate(row) for row in pauses], next_cursor=next_cursor
    )


@router.post("/fixes/pauses/{policy_id}/resume", dependencies=SECURITY)
async def resume_policy(policy_id: str, request: Request, who: CurrentPrincipal) -> PauseOut:
    """Resume a paused policy; the plans it held run again, through every guard."""
    return PauseOut.model_validate(await _commands(request).resume(policy_id, who.subject))


@router.get("/fixes")
@router.get("/plans", include_in_schema=False)
async def list_plans(
    session: DbSession,
    page: Plans,
    status: PlanStatus | None = None,
    violation_id: str | None = None,
    policy_id: str | None = None,
    account_id: str | None = None,
    kind: PlanKind | None = None,
) -> PlanList:
    """Fix plans, newest first, by status, violation, policy, account and/or kind."""
    filters = {
        "status": status,
        "violation_id": violation_id,
        "policy_id": policy_id,
        "account_id": account_id,
        "kind": kind,
    }
    window = page.window("autofix.plans", filters)
    read = await repository.find(session, **filters, limit=window.fetch, offset=window.start)
    plans, next_cursor = window.page(read)
    return PlanList(items=[PlanOut.model_validate(plan) for plan in plans], next_cursor=next_cursor)


@router.post("/fixes", status_code=202, dependencies=SECURITY)
async def fix_now(body: FixNow, request: Request, who: CurrentPrincipal) -> PlanOut:
    """Fix one open violation now; still re-checked and guarded before anything changes."""
    return PlanOut.model_validate(await _commands(request).fix_now(body, who.subject))


@router.get("/fixes/{plan_id}")
@router.get("/plans/{plan_id}", include_in_schema=False)
async def get_plan(plan_id: str, session: DbSession, request: Request) -> PlanDetail:
    """One plan with its backup, the calls it made, its history and its notifications."""
    plan: FixPlan | None = await repository.get(session, plan_id)
    if plan is None:
        raise NotFound(f"plan {plan_id} not found", field="plan_id")
    notifier: Notifier = request.app.state.notifier
    steps = await history.steps_of(session, plan_id)
    return PlanDetail.model_validate(
        {
            **PlanOut.model_validate(plan).model_dump(),
            "history": [StepOut.model_validate(step) for step in steps],
            "notifications": await notifier.list(session, subject_ref=plan_id),
        }
    )


@router.post("/fixes/{plan_id}/rollback", status_code=202, dependencies=SECURITY)
async def rollback(
    plan_id: str, body: Reasoned, request: Request, who: CurrentPrincipal
) -> PlanOut:
    """Restore an applied fix's backup; recorded as a plan of kind ``rollback``."""
    return PlanOut.model_validate(
        await _commands(request).rollback(plan_id, body.reason, who.subject)
    )


@router.post("/fixes/{plan_id}/cancel", dependencies=SECURITY)
async def cancel(plan_id: str, body: Reasoned, request: Request, who: CurrentPrincipal) -> PlanOut:
    """Cancel a plan that has not acted yet."""
    return PlanOut.model_validate(
        await _commands(request).cancel(plan_id, body.reason, who.subject)
    )


@router.post("/fixes/{plan_id}/postpone", dependencies=SECURITY)
async def postpone(
    plan_id: str, body: Postpone, request: Request, who: CurrentPrincipal
) -> PlanOut:
    """Move a pending plan's due time."""
    return PlanOut.model_validate(await _commands(request).postpone(plan_id, body, who.subject))
