"""``/policies``: the loaded policies, their registry state and the files that were rejected."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from pacbot.assessor.policies.schemas import PolicyErrorList, PolicyErrorOut, PolicyList, PolicyOut
from pacbot.assessor.policies.service import PolicyCatalog
from pacbot.common.web import DbSession, NotFound


def get_catalog(request: Request) -> PolicyCatalog:
    """The catalog the app was built with."""
    catalog: PolicyCatalog = request.app.state.catalog
    return catalog


Catalog = Annotated[PolicyCatalog, Depends(get_catalog)]
router = APIRouter(prefix="/policies", tags=["policies"])


@router.get("", response_model=PolicyList)
async def list_policies(session: DbSession, catalog: Catalog) -> PolicyList:
    """Every policy that loaded, with its enabled state."""
    states = await catalog.states(session)
    return PolicyList(items=[PolicyOut.of(a, catalog.grace_override) for a in states])


@router.get("/errors", response_model=PolicyErrorList)
async def list_policy_errors(catalog: Catalog) -> PolicyErrorList:
    """Policy files that were rejected at load, each with file, line and path."""
    return PolicyErrorList(items=[PolicyErrorOut.of(e) for e in catalog.errors])


@router.get("/{policy_id}", response_model=PolicyOut)
async def get_policy(policy_id: str, session: DbSession, catalog: Catalog) -> PolicyOut:
    """One policy by id."""
    for active in await catalog.states(session):
        if active.policy.id == policy_id:
            return PolicyOut.of(active, catalog.grace_override)
    raise NotFound(f"no policy {policy_id!r}", field="policy_id")
