"""``/violations``: filtered, sorted, cursor-paged listing and detail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from pacbot.common.events import utcnow
from pacbot.common.paging import Offset
from pacbot.common.web import DbSession, DomainError, NotFound
from pacbot.violations.lifecycle.params import Filters, Sorting
from pacbot.violations.lifecycle.repository import find_violations, get_violation
from pacbot.violations.lifecycle.schemas import ViolationOut, ViolationPage

router = APIRouter(prefix="/violations", tags=["violations"])


@router.get("", response_model=ViolationPage)
async def list_violations(
    session: DbSession,
    filters: Filters,
    ordering: Sorting,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
    cursor: str | None = None,
) -> ViolationPage:
    """Violations matching every filter; page with ``cursor`` (``next_cursor``) or ``offset``."""
    if cursor and offset:
        raise DomainError("use either offset or cursor, not both", field="cursor")
    page = await find_violations(
        session, filters, ordering, limit=limit, offset=offset, cursor=cursor, now=utcnow()
    )
    return ViolationPage(
        items=[ViolationOut.of(r) for r in page.rows],
        total=page.total,
        next_cursor=page.next_cursor,
    )


@router.get("/{violation_id}", response_model=ViolationOut)
async def get_one_violation(violation_id: str, session: DbSession) -> ViolationOut:
    """One violation with its timeline."""
    row = await get_violation(session, violation_id)
    if row is None:
        raise NotFound(f"no violation {violation_id!r}", field="violation_id")
    return ViolationOut.of(row)
