"""Asset-group logic: create, change, delete, count and list members (no commits here)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.paging import Window
from pacbot.common.web import Conflict, NotFound
from pacbot.inventory.assets.schemas import AssetOut
from pacbot.inventory.groups import repository
from pacbot.inventory.groups.schemas import (
    GroupDetail,
    GroupIn,
    GroupList,
    GroupOut,
    GroupUpdate,
    MemberPage,
)
from pacbot.inventory.models import AssetGroup

BREAKDOWN = ("resource_type", "account_id", "region")


async def _existing(session: AsyncSession, name: str) -> AssetGroup:
    group = await repository.get(session, name)
    if group is None:
        raise NotFound(f"asset group {name!r} not found", field="name")
    return group


def _out(group: AssetGroup, member_count: int | None) -> GroupOut:
    return GroupOut(
        name=group.name,
        description=group.description,
        criteria=group.criteria,
        created_at=group.created_at,
        updated_at=group.updated_at,
        member_count=member_count,
    )


async def summary(session: AsyncSession, group: AssetGroup) -> GroupOut:
    """The group with its member count, computed now."""
    return _out(group, await repository.count_members(session, group.criteria))


async def create(session: AsyncSession, body: GroupIn) -> GroupOut:
    """Add a group; its name must be new."""
    if await repository.get(session, body.name) is not None:
        raise Conflict(f"asset group {body.name!r} already exists", field="name")
    now = datetime.now(UTC)
    group = AssetGroup(
        name=body.name,
        description=body.description,
        criteria=body.criteria.stored(),
        created_at=now,
        updated_at=now,
    )
    session.add(group)
    await session.flush()
    return await summary(session, group)


async def update(session: AsyncSession, name: str, body: GroupUpdate) -> GroupOut:
    """Replace a group's description and criteria."""
    group = await _existing(session, name)
    group.description = body.description
    group.criteria = body.criteria.stored()
    group.updated_at = datetime.now(UTC)
    await session.flush()
    return await summary(session, group)


async def delete(session: AsyncSession, name: str) -> None:
    """Remove a group."""
    await session.delete(await _existing(session, name))


async def list_groups(session: AsyncSession, window: Window, *, counts: bool = True) -> GroupList:
    """A page of groups, each with its member count (counted for this page in one scan), or
    without counts (``counts=False``: names and criteria only, no scan of the assets)."""
    groups, next_cursor = window.of(await repository.all_groups(session))
    if not counts:
        return GroupList(items=[_out(g, None) for g in groups], next_cursor=next_cursor)
    members = await repository.count_each(session, [g.criteria for g in groups])
    return GroupList(
        items=[_out(g, n) for g, n in zip(groups, members, strict=True)], next_cursor=next_cursor
    )


async def detail(session: AsyncSession, name: str, *, counts: bool = True) -> GroupDetail:
    """One group, its member count and members counted by type, account and region (or
    neither, with ``counts=False``)."""
    group = await _existing(session, name)
    if not counts:
        return GroupDetail(**_out(group, None).model_dump(), breakdown=None)
    total, counts_by = await repository.breakdown(session, group.criteria, BREAKDOWN)
    return GroupDetail(
        name=group.name,
        description=group.description,
        criteria=group.criteria,
        created_at=group.created_at,
        updated_at=group.updated_at,
        member_count=total,
        breakdown={
            f: dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))) for f, c in counts_by.items()
        },
    )


async def member_page(session: AsyncSession, name: str, window: Window) -> MemberPage:
    """A page of the group's current assets by id, how many there are, and the next cursor."""
    group = await _existing(session, name)
    read, total = await repository.member_window(
        session, group.criteria, window.start, window.fetch
    )
    items, next_cursor = window.page([AssetOut.model_validate(a) for a in read])
    return MemberPage(items=items, total=total, next_cursor=next_cursor)
