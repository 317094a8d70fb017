"""``GET /resources`` and ``GET /resources/iam-policy``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from pacbot.inventory.connectors._iam import read_only_policies, resource_catalogue

router = APIRouter(prefix="/resources", tags=["resources"])


@router.get("")
async def list_resource_types(request: Request) -> dict[str, Any]:
    """Every resource type this inventory discovers, with its metadata."""
    return {"items": resource_catalogue(request.app.state.planner.registry)}


@router.get("/iam-policy")
async def iam_policy(request: Request) -> dict[str, Any]:
    """The least-privilege read-only policy documents for the discovery role."""
    return {"policies": read_only_policies(request.app.state.planner.registry)}
