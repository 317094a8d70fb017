"""Query parameters shared by ``GET /violations`` and the exports, parsed into a query."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query

from pacbot.common.paging import days
from pacbot.common.web import AppRuntime, DomainError
from pacbot.violations.compliance.scope import Constraints, group_criteria
from pacbot.violations.filters import parse_tags
from pacbot.violations.lifecycle.query import SortField, SortOrder, ViolationFilters
from pacbot.violations.lifecycle.repository import Ordering, Selection

ViolationStatus = Literal["open", "exempted", "closed"]
Severity = Literal["critical", "high", "medium", "low"]
Category = Literal["security", "governance", "cost", "tagging", "operations"]
Many = Query()


def violation_filters(
    status: Annotated[list[ViolationStatus] | None, Many] = None,
    policy_id: Annotated[list[str] | None, Many] = None,
    asset_id: Annotated[list[str] | None, Many] = None,
    severity: Annotated[list[Severity] | None, Many] = None,
    category: Annotated[list[Category] | None, Many] = None,
    account_id: Annotated[list[str] | None, Many] = None,
    region: Annotated[list[str] | None, Many] = None,
    resource_type: Annotated[list[str] | None, Many] = None,
    owner: Annotated[list[str] | None, Many] = None,
    tag: Annotated[list[str] | None, Query(description="KEY=VALUE (or KEY:VALUE)")] = None,
    min_age_days: Annotated[float | None, days("current episode age")] = None,
    max_age_days: Annotated[float | None, days("current episode age")] = None,
    group: Annotated[
        str | None, Query(description="an inventory asset group (its assets' violations)")
    ] = None,
) -> ViolationFilters:
    """Repeated values of one filter mean any of them; different filters must all hold."""
    return ViolationFilters(
        status=tuple(status or ()),
        policy_id=tuple(policy_id or ()),
        asset_id=tuple(asset_id or ()),
        severity=tuple(severity or ()),
        category=tuple(category or ()),
        account_id=tuple(account_id or ()),
        region=tuple(region or ()),
        resource_type=tuple(resource_type or ()),
        owner=tuple(owner or ()),
        tags=parse_tags(tag or ()),
        min_age_days=min_age_days,
        max_age_days=max_age_days,
        group=group or None,
    )


Filters = Annotated[ViolationFilters, Depends(violation_filters)]


async def violation_selection(runtime: AppRuntime, filters: Filters) -> Selection:
    """The filters with their group's criteria from the inventory (404/503 naming ``group``)."""
    if filters.group is None:
        return Selection(filters)
    scope = Constraints().narrowed(await group_criteria(runtime, filters.group))
    if scope.python_tags:
        raise DomainError(
            f"group {filters.group!r} has a tag key with a quote or backslash, which the "
            "violations listing cannot filter on",
            field="group",
        )
    return Selection(filters, scope)


def violation_ordering(sort: SortField = "updated_at", order: SortOrder = "desc") -> Ordering:
    """The sort (default: most recently changed first); ``violation_id`` breaks ties."""
    return Ordering(sort, order)


Selected = Annotated[Selection, Depends(violation_selection)]
Sorting = Annotated[Ordering, Depends(violation_ordering)]
