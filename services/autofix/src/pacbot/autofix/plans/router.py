"""HTTP surface of autofix: the plans and their outcomes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from pacbot.autofix.plans import repository
from pacbot.autofix.plans.schemas import PlanList, PlanOut, PlanStatus
from pacbot.common.paging import MAX_LIMIT, PageRequest, paging
from pacbot.common.web import DbSession, NotFound

router = APIRouter(prefix="/plans", tags=["plans"])
Plans = Annotated[PageRequest, paging(500, MAX_LIMIT)]


@router.get("")
async def list_plans(
    session: DbSession,
    page: Plans,
    status: PlanStatus | None = None,
    violation_id: str | None = None,
) -> PlanList:
    """Fix plans, newest first, by status and/or violation."""
    window = page.window("autofix.plans", {"status": status, "violation_id": violation_id})
    read = await repository.find(
        session, status=status, violation_id=violation_id, limit=window.fetch, offset=window.start
    )
    plans, next_cursor = window.page(read)
    return PlanList(items=[PlanOut.model_validate(plan) for plan in plans], next_cursor=next_cursor)


@router.get("/{plan_id}")
async def get_plan(plan_id: str, session: DbSession) -> PlanOut:
    """One plan, with its backup of the configuration it replaced."""
    plan = await repository.get(session, plan_id)
    if plan is None:
        raise NotFound(f"plan {plan_id} not found", field="plan_id")
    return PlanOut.model_validate(plan)
