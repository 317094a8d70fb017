"""Query parameters shared by ``GET /violations`` and the exports, parsed into a query."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query

from pacbot.common.paging import days
from pacbot.violations.filters import parse_tags
from pacbot.violations.lifecycle.query import SortField, SortOrder, ViolationFilters
from pacbot.violations.lifecycle.repository import Ordering

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
    )


def violation_ordering(sort: SortField = "updated_at", order: SortOrder = "desc") -> Ordering:
    """The sort (default: most recently changed first); ``violation_id`` breaks ties."""
    return Ordering(sort, order)


Filters = Annotated[ViolationFilters, Depends(violation_filters)]
Sorting = Annotated[Ordering, Depends(violation_ordering)]
