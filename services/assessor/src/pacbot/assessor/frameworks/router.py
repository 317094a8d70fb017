"""``/frameworks``: the catalogue's frameworks and which loaded policies judge each control."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from pacbot.assessor.frameworks.schemas import control_out, framework_out
from pacbot.assessor.frameworks.service import FrameworkCoverage, coverage
from pacbot.assessor.policies.router import Catalog
from pacbot.common.frameworks import Catalogue, FrameworkDetail, FrameworkList
from pacbot.common.paging import MAX_LIMIT, PageRequest, paging
from pacbot.common.web import DbSession, NotFound

router = APIRouter(prefix="/frameworks", tags=["frameworks"])
Frameworks = Annotated[PageRequest, paging(100, MAX_LIMIT)]
Controls = Annotated[PageRequest, paging(500, MAX_LIMIT)]  # one page holds a framework


def get_frameworks(request: Request) -> Catalogue:
    """The framework catalogue the app was built with."""
    frameworks: Catalogue = request.app.state.frameworks
    return frameworks


FrameworkCatalogue = Annotated[Catalogue, Depends(get_frameworks)]
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such framework (`NotFound`, `field: framework_id`)"}
}


@router.get("", response_model=FrameworkList)
async def list_frameworks(
    frameworks: FrameworkCatalogue, catalog: Catalog, page: Frameworks
) -> FrameworkList:
    """Every known framework by id, with its size and the loaded policies' coverage of it."""
    rows = [coverage(f, catalog.policies) for f in frameworks.frameworks]
    shown, next_cursor = page.window("assessor.frameworks").of(rows)
    return FrameworkList(
        items=[framework_out(c) for c in shown], total=len(rows), next_cursor=next_cursor
    )


@router.get("/{framework_id}", response_model=FrameworkDetail, responses=_NOT_FOUND)
async def get_framework(
    framework_id: str,
    session: DbSession,
    frameworks: FrameworkCatalogue,
    catalog: Catalog,
    page: Controls,
) -> FrameworkDetail:
    """One framework's controls in its own order, each with the policies mapped to it."""
    framework = frameworks.get(framework_id)
    if framework is None:
        raise NotFound(f"no framework {framework_id!r}", field="framework_id")
    covered: FrameworkCoverage = coverage(framework, catalog.policies)
    enabled = {a.policy.id: a.enabled for a in await catalog.states(session)}
    rows, next_cursor = page.window("assessor.framework", framework_id).of(covered.controls)
    return FrameworkDetail(
        **framework_out(covered).model_dump(),
        items=[control_out(covered, row, enabled) for row in rows],
        total=len(covered.controls),
        next_cursor=next_cursor,
    )
