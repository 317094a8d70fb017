"""HTTP surface of asset groups."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from pacbot.common.auth import require
from pacbot.common.paging import MAX_LIMIT, PageRequest, Paging, paging
from pacbot.common.web import DbSession
from pacbot.inventory.groups import service
from pacbot.inventory.groups.schemas import (
    GroupDetail,
    GroupIn,
    GroupList,
    GroupOut,
    GroupUpdate,
    MemberPage,
)

router = APIRouter(prefix="/groups", tags=["groups"])
Groups = Annotated[PageRequest, paging(MAX_LIMIT, MAX_LIMIT)]  # one page held them all before
Counts = Annotated[
    bool,
    Query(description="count the members (false: names and criteria only, no scan of the assets)"),
]


@router.post("", response_model=GroupOut, status_code=201, dependencies=[require("admin")])
async def create_group(body: GroupIn, session: DbSession) -> GroupOut:
    """Create a named group of criteria; 409 when the name is taken."""
    return await service.create(session, body)


@router.get("", response_model=GroupList)
async def list_groups(session: DbSession, page: Groups, counts: Counts = True) -> GroupList:
    """Groups by name, each with its current member count."""
    return await service.list_groups(session, page.window("inventory.groups"), counts=counts)


@router.get("/{name}", response_model=GroupDetail)
async def get_group(name: str, session: DbSession, counts: Counts = True) -> GroupDetail:
    """One group with its member count and a breakdown by resource type, account and region."""
    return await service.detail(session, name, counts=counts)


@router.get("/{name}/assets", response_model=MemberPage)
async def group_assets(name: str, session: DbSession, page: Paging) -> MemberPage:
    """The group's current (non-deleted) assets, by id."""
    return await service.member_page(session, name, page.window("inventory.members", name))


@router.put("/{name}", response_model=GroupOut, dependencies=[require("admin")])
async def update_group(name: str, body: GroupUpdate, session: DbSession) -> GroupOut:
    """Replace a group's description and criteria."""
    return await service.update(session, name, body)


@router.delete("/{name}", status_code=204, dependencies=[require("admin")])
async def delete_group(name: str, session: DbSession) -> Response:
    """Remove a group."""
    await service.delete(session, name)
    return Response(status_code=204)
