"""``/violations``: filtered, sorted, cursor-paged listing and detail."""

from __future__ import annotations

from fastapi import APIRouter

from pacbot.common.events import utcnow
from pacbot.common.paging import Paging
from pacbot.common.web import DbSession, NotFound
from pacbot.violations.lifecycle.params import Selected, Sorting
from pacbot.violations.lifecycle.repository import find_violations, get_violation
from pacbot.violations.lifecycle.schemas import ViolationOut, ViolationPage

router = APIRouter(prefix="/violations", tags=["violations"])


@router.get("", response_model=ViolationPage)
async def list_violations(
    session: DbSession,
    selection: Selected,
    ordering: Sorting,
    page: Paging,
) -> ViolationPage:
    """Violations matching every filter; page with ``cursor`` (``next_cursor``)."""
    found = await find_violations(
        session,
        selection,
        ordering,
        limit=page.limit,
        offset=page.offset or 0,
        cursor=page.cursor,
        now=utcnow(),
    )
    return ViolationPage(
        items=[ViolationOut.of(r) for r in found.rows],
        total=found.total,
        next_cursor=found.next_cursor,
    )


@router.get("/{violation_id}", response_model=ViolationOut)
async def get_one_violation(violation_id: str, session: DbSession) -> ViolationOut:
    """One violation with its timeline."""
    row = await get_violation(session, violation_id)
    if row is None:
        raise NotFound(f"no violation {violation_id!r}", field="violation_id")
    return ViolationOut.of(row)
