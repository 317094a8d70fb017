"""HTTP surface of asset groups."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from pacbot.common.auth import require
from pacbot.common.paging import Offset
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


@router.post("", response_model=GroupOut, status_code=201, dependencies=[require("admin")])
async def create_group(body: GroupIn, session: DbSession) -> GroupOut:
    """Create a named group of criteria; 409 when the name is taken."""
    return await service.create(session, body)


@router.get("", response_model=GroupList)
async def list_groups(session: DbSession) -> GroupList:
    """Every group with its current member count."""
    return GroupList(items=await service.list_groups(session))


@router.get("/{name}", response_model=GroupDetail)
async def get_group(name: str, session: DbSession) -> GroupDetail:
    """One group with its member count and a breakdown by resource type, account and region."""
    return await service.detail(session, name)


@router.get("/{name}/assets", response_model=MemberPage)
async def group_assets(
    name: str,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> MemberPage:
    """The group's current (non-deleted) assets, by id."""
    return await service.member_page(session, name, limit=limit, offset=offset)


@router.put("/{name}", response_model=GroupOut, dependencies=[require("admin")])
async def update_group(name: str, body: GroupUpdate, session: DbSession) -> GroupOut:
    """Replace a group's description and criteria."""
    return await service.update(session, name, body)


@router.delete("/{name}", status_code=204, dependencies=[require("admin")])
async def delete_group(name: str, session: DbSession) -> Response:
    """Remove a group."""
    await service.delete(session, name)
    return Response(status_code=204)
