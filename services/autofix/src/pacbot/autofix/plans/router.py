"""HTTP surface of autofix: the plans and their outcomes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from pacbot.autofix.plans import repository
from pacbot.autofix.plans.schemas import PlanList, PlanOut, PlanStatus
from pacbot.common.paging import Offset
from pacbot.common.web import DbSession, NotFound

router = APIRouter(prefix="/plans", tags=["plans"])


@router.get("")
async def list_plans(
    session: DbSession,
    status: PlanStatus | None = None,
    violation_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    offset: Offset = 0,
) -> PlanList:
    """Fix plans, newest first, by status and/or violation."""
    plans = await repository.find(
        session, status=status, violation_id=violation_id, limit=limit, offset=offset
    )
    return PlanList(items=[PlanOut.model_validate(plan) for plan in plans])


@router.get("/{plan_id}")
async def get_plan(plan_id: str, session: DbSession) -> PlanOut:
    """One plan, with its backup of the configuration it replaced."""
    plan = await repository.get(session, plan_id)
    if plan is None:
        raise NotFound(f"plan {plan_id} not found", field="plan_id")
    return PlanOut.model_validate(plan)
