"""``/results``: the latest result per (asset, policy), e.g. the unknowns (``status=error``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import func, select

from pacbot.common.paging import Paging
from pacbot.common.web import DbSession
from pacbot.violations.filters import any_of, parse_tags, tag_clauses
from pacbot.violations.models import ResultRow, as_utc

router = APIRouter(prefix="/results", tags=["results"])
Many = Query()
ResultStatus = Literal["pass", "fail", "error", "not_applicable"]


class ResultOut(BaseModel):
    """One live result."""

    asset_id: str
    policy_id: str
    status: str
    reason: str
    evidence: dict[str, Any]
    account_id: str
    region: str
    resource_type: str
    asset_name: str
    policy_name: str
    severity: str
    category: str
    owner: str | None
    tags: dict[str, str]
    asset_version: int
    evaluated_at: datetime


class ResultPage(BaseModel):
    """``GET /results``: a page, how many match in all, and the next page's cursor."""

    items: list[ResultOut]
    total: int
    next_cursor: str | None = None


@router.get("", response_model=ResultPage)
async def list_results(
    session: DbSession,
    page: Paging,
    status: Annotated[list[ResultStatus] | None, Many] = None,
    policy_id: Annotated[list[str] | None, Many] = None,
    asset_id: Annotated[list[str] | None, Many] = None,
    account_id: Annotated[list[str] | None, Many] = None,
    region: Annotated[list[str] | None, Many] = None,
    resource_type: Annotated[list[str] | None, Many] = None,
    tag: Annotated[list[str] | None, Query(description="KEY=VALUE (or KEY:VALUE)")] = None,
) -> ResultPage:
    """Live (non-deleted) results, by asset then policy."""
    r = ResultRow
    tags = parse_tags(tag or ())
    filters = {
        "status": status,
        "policy_id": policy_id,
        "asset_id": asset_id,
        "account_id": account_id,
        "region": region,
        "resource_type": resource_type,
        "tags": tags,
    }
    window = page.window("violations.results", filters)
    clauses = [
        r.deleted.is_(False),
        *any_of(r.status, status),
        *any_of(r.policy_id, policy_id),
        *any_of(r.asset_id, asset_id),
        *any_of(r.account_id, account_id),
        *any_of(r.region, region),
        *any_of(r.resource_type, resource_type),
        *tag_clauses(r.tags, tags),
    ]
    total = await session.scalar(select(func.count()).select_from(r).where(*clauses))
    ordered = select(r).where(*clauses).order_by(r.asset_id, r.policy_id)
    read = await session.scalars(ordered.limit(window.fetch).offset(window.start))
    rows, next_cursor = window.page(read.all())
    items = [
        ResultOut.model_validate(
            {name: getattr(row, name) for name in ResultOut.model_fields}
            | {"evaluated_at": as_utc(row.evaluated_at)}
        )
        for row in rows
    ]
    return ResultPage(items=items, total=total or 0, next_cursor=next_cursor)
