"""``GET /resources`` and ``GET /resources/iam-policy``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request

from pacbot.common.paging import MAX_LIMIT, PageRequest, paging
from pacbot.inventory.connectors._iam import read_only_policies, resource_catalogue

router = APIRouter(prefix="/resources", tags=["resources"])
Catalogue = Annotated[PageRequest, paging(MAX_LIMIT, MAX_LIMIT)]  # the catalogue fits one page


@router.get("")
async def list_resource_types(request: Request, page: Catalogue) -> dict[str, Any]:
    """The resource types this inventory discovers, with their metadata."""
    catalogue = resource_catalogue(request.app.state.planner.registry)
    items, next_cursor = page.window("inventory.resources").of(catalogue)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/iam-policy")
async def iam_policy(request: Request) -> dict[str, Any]:
    """The least-privilege read-only policy documents for the discovery role."""
    return {"policies": read_only_policies(request.app.state.planner.registry)}
