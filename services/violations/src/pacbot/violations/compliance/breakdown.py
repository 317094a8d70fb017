"""``GET /compliance/breakdown``: the scope's figures per account, region, resource type or
inventory asset group, most open violations first (the landing page's "most affected").

Each item is the compliance summary of the scope narrowed to that key, reduced to its
headline figures. Accounts, regions and types come from the tallies in one pass. Groups are
the inventory's (at most :data:`MAX_GROUPS`): those the tallies count by, with the criteria the
inventory has now, are read from their cells in one pass too (when the scope has no tag
condition of its own); each other group is counted like a summary with that group, and those
counts are cached until results or violations change.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.paging import Paging
from pacbot.common.runtime import Runtime
from pacbot.common.web import AppRuntime, DbSession
from pacbot.violations.aggregates.cache import FIGURES_CACHE, FiguresCache
from pacbot.violations.aggregates.cells import GROUP_DIMENSION
from pacbot.violations.aggregates.maintenance import TAG_KEYS
from pacbot.violations.aggregates.reads import Dimension, from_tallies
from pacbot.violations.compliance.groups import MAX_GROUPS, inventory_groups
from pacbot.violations.compliance.repository import built_tallies, tallies_by
from pacbot.violations.compliance.router import AskedScope, ConfiguredWeights
from pacbot.violations.compliance.schemas import Weights
from pacbot.violations.compliance.scope import Constraints
from pacbot.violations.compliance.service import headline, open_by_severity
from pacbot.violations.compliance.tally import Tally

router = APIRouter(prefix="/compliance", tags=["compliance"])
By = Literal["account_id", "region", "resource_type", "group"]


class BreakdownItem(BaseModel):
    """The headline figures of the scope narrowed to one key."""

    key: str
    overall_pct: float | None = Field(description="as the summary's, in the narrowed scope")
    evaluated_assets: int
    evaluated: int = Field(description="passing + failing results, summed over policies")
    passing: int
    failing: int = Field(description="failing results (exempted ones included by default)")
    open: int = Field(description="open violations")
    exempted: int = Field(description="exempted violations")
    open_by_severity: dict[str, int]


class ComplianceBreakdown(BaseModel):
    """``GET /compliance/breakdown``: items by open violations (desc), then key."""

    by: str
    scope: str
    exempted_as_passing: bool
    items: list[BreakdownItem]
    next_cursor: str | None = None
    truncated: bool = Field(
        default=False, description=f"by=group only: the inventory has more than {MAX_GROUPS}"
    )


def breakdown_item(
    key: str, tally: Tally, weights: Weights, exempted_as_passing: bool
) -> BreakdownItem:
    """One key's headline figures from its tally (the summary's math)."""
    figures = headline(tally, weights, exempted_as_passing=exempted_as_passing)
    return BreakdownItem(
        key=key,
        overall_pct=figures.overall_pct,
        evaluated_assets=tally.evaluated_assets,
        evaluated=figures.passing + figures.failing,
        passing=figures.passing,
        failing=figures.failing,
        open=tally.violations.get("open", 0),
        exempted=tally.violations.get("exempted", 0),
        open_by_severity=open_by_severity(tally),
    )


async def group_tallies(
    session: AsyncSession, runtime: Runtime, scope: Constraints
) -> tuple[dict[str, Tally], bool]:
    """Each inventory group's tally within ``scope``, and whether groups were left out."""
    groups, truncated = await inventory_groups(runtime)
    tallies = await from_group_cells(session, scope, groups)
    rest = [(name, criteria) for name, criteria in groups if name not in tallies]

    async def count() -> dict[str, Tally]:
        return {
            name: (await tallies_by(session, scope.narrowed(criteria))).get("", Tally())
            for name, criteria in rest
        }

    if not rest:
        return tallies, truncated
    cache = session.info.get(FIGURES_CACHE)
    if not isinstance(cache, FiguresCache):
        return {**tallies, **await count()}, truncated
    key = "groups|" + scope.fingerprint() + "|" + json.dumps(rest, sort_keys=True)
    return {**tallies, **await cache.get(session, key, count)}, truncated


async def from_group_cells(
    session: AsyncSession, scope: Constraints, groups: list[tuple[str, dict[str, Any]]]
) -> dict[str, Tally]:
    """The tallies of the groups whose cells hold what the inventory's criteria admit now, in
    one read; only for a scope without tag conditions (its account, region and type
    conditions narrow the cells as they would narrow the group)."""
    built = await built_tallies(session) if TAG_KEYS in session.info else None
    if built is None or scope.tags or scope.empty:
        return {}
    held = dict(built.groups)
    names = tuple(
        name for name, criteria in groups if held.get(name) == Constraints().narrowed(criteria)
    )
    if not names:
        return {}
    found = await from_tallies(session, scope, Dimension(GROUP_DIMENSION, names), "tag_value")
    return {name: found.get(name, Tally()) for name in names}


@router.get("/breakdown", response_model=ComplianceBreakdown)
async def compliance_breakdown(
    session: DbSession,
    runtime: AppRuntime,
    weights: ConfiguredWeights,
    page: Paging,
    by: By,
    scope: AskedScope,
    exempted_as_passing: bool = False,
) -> ComplianceBreakdown:
    """The summary's scope, per account / region / resource type / asset group."""
    truncated = False
    if by == "group":
        tallies, truncated = await group_tallies(session, runtime, scope.constraints())
    else:
        tallies = await tallies_by(session, scope.constraints(), by)
    items = sorted(
        (breakdown_item(k, t, weights, exempted_as_passing) for k, t in tallies.items()),
        key=lambda item: (-item.open, item.key),
    )
    query = {"by": by, "scope": scope.key(), "exempted_as_passing": exempted_as_passing}
    rows, next_cursor = page.window("violations.compliance-breakdown", query).of(items)
    return ComplianceBreakdown(
        by=by,
        scope=scope.key(),
        exempted_as_passing=exempted_as_passing,
        items=rows,
        next_cursor=next_cursor,
        truncated=truncated,
    )
