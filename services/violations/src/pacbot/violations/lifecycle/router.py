"""``/violations``: filtered listing and detail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from pacbot.common.web import DbSession, NotFound
from pacbot.violations.lifecycle.repository import ViolationFilter, find_violations, get_violation
from pacbot.violations.lifecycle.schemas import (
    Severity,
    ViolationOut,
    ViolationPage,
    ViolationStatus,
)

router = APIRouter(prefix="/violations", tags=["violations"])


@router.get("", response_model=ViolationPage)
async def list_violations(
    session: DbSession,
    status: ViolationStatus | None = None,
    policy_id: str | None = None,
    asset_id: str | None = None,
    account_id: str | None = None,
    severity: Severity | None = None,
    resource_type: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ViolationPage:
    """Violations matching every given filter, most recently changed first."""
    filters = ViolationFilter(status, policy_id, asset_id, account_id, severity, resource_type)
    rows, total = await find_violations(session, filters, limit, offset)
    return ViolationPage(items=[ViolationOut.of(r) for r in rows], total=total)


@router.get("/{violation_id}", response_model=ViolationOut)
async def get_one_violation(violation_id: str, session: DbSession) -> ViolationOut:
    """One violation with its timeline."""
    row = await get_violation(session, violation_id)
    if row is None:
        raise NotFound(f"no violation {violation_id!r}", field="violation_id")
    return ViolationOut.of(row)
