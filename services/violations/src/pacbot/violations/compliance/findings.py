"""The failing resources behind a framework's controls: every policy's failing results in a scope,
split into open failures and failures under an exception, at most ``cap`` of each per policy.

One grouped query answers a whole framework (a window function ranks and counts each policy's
rows, so the database returns at most ``cap`` rows per policy and the count of the rest); only
tag keys SQL cannot address are checked in Python, on streamed rows.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.violations.compliance.framework_schemas import ExemptedResource, FailingResource
from pacbot.violations.compliance.scope import Constraints
from pacbot.violations.models import ExceptionProjection, ResultRow, ViolationRow, as_utc

MAX_RESOURCES = 10_000
"""The most failing resources a request may ask to list per control (and per kind)."""


@dataclass
class Listed:
    """The first results of one kind (open or exempted) and how many there are in all."""

    rows: list[FailingResource] = field(default_factory=list)
    total: int = 0


@dataclass
class PolicyFailures:
    """One policy's failing results in scope: open ones and ones under an exception."""

    open: Listed = field(default_factory=Listed)
    exempted: Listed = field(default_factory=Listed)


def _query(policy_ids: Collection[str], scope: Constraints) -> tuple[Any, ColumnElement[Any]]:
    """The policies' live failing results in scope, with their violation and exception, and
    the expression that is 1 for a failure under an exception."""
    exempted = case((ViolationRow.status == "exempted", 1), else_=0)
    return (
        select(
            ResultRow.asset_id,
            ResultRow.asset_name,
            ResultRow.resource_type,
            ResultRow.account_id,
            ResultRow.region,
            ResultRow.policy_id,
            ViolationRow.violation_id,
            ResultRow.reason,
            ViolationRow.exception_id,
            ExceptionProjection.kind,
            ExceptionProjection.expires_at,
            exempted.label("exempted"),
        )
        .outerjoin(
            ViolationRow,
            and_(
                ViolationRow.asset_id == ResultRow.asset_id,
                ViolationRow.policy_id == ResultRow.policy_id,
                ViolationRow.status.in_(("open", "exempted")),
            ),
        )
        .outerjoin(
            ExceptionProjection,
            and_(
                ViolationRow.status == "exempted",
                ExceptionProjection.exception_id == ViolationRow.exception_id,
            ),
        )
        .where(
            ResultRow.deleted.is_(False),
            ResultRow.status == "fail",
            ResultRow.policy_id.in_(sorted(policy_ids)),
            *scope.clauses(ResultRow),
        )
    ), exempted


def _result(row: Any) -> FailingResource:
    """An open failure, or one under an exception with the exception's id, kind and expiry."""
    resource = FailingResource(
        asset_id=row.asset_id,
        asset_name=row.asset_name,
        resource_type=row.resource_type,
        account_id=row.account_id,
        region=row.region,
        policy_id=row.policy_id,
        violation_id=row.violation_id,
        reason=row.reason,
    )
    if not row.exempted:
        return resource
    return ExemptedResource(
        **resource.model_dump(),
        exception_id=row.exception_id,
        exception_kind=row.kind,
        expires_at=as_utc(row.expires_at) if row.expires_at else None,
    )


async def failing_results(
    session: AsyncSession, scope: Constraints, policy_ids: Collection[str], cap: int
) -> dict[str, PolicyFailures]:
    """Each policy's failing results in ``scope`` (ordered by account, region and asset), at
    most ``cap`` open and ``cap`` exempted ones listed, with the totals of both."""
    if scope.empty or not policy_ids:
        return {}
    if scope.python_tags:
        return await _streamed(session, scope, policy_ids, cap)
    base, exempted = _query(policy_ids, scope)
    partition = (ResultRow.policy_id, exempted)
    order = (ResultRow.account_id, ResultRow.region, ResultRow.asset_id)
    ranked = base.add_columns(
        func.row_number().over(partition_by=partition, order_by=order).label("rank"),
        func.count().over(partition_by=partition).label("total"),
    ).subquery()
    rows = await session.execute(
        select(ranked)
        .where(ranked.c.rank <= max(cap, 1))
        .order_by(ranked.c.policy_id, ranked.c.rank)
    )
    found: dict[str, PolicyFailures] = {}
    for row in rows.all():
        failures = found.setdefault(row.policy_id, PolicyFailures())
        kind = failures.exempted if row.exempted else failures.open
        kind.total = row.total
        if row.rank <= cap:
            kind.rows.append(_result(row))
    return found


async def _streamed(
    session: AsyncSession, scope: Constraints, policy_ids: Collection[str], cap: int
) -> dict[str, PolicyFailures]:
    base, _ = _query(policy_ids, scope)
    query = (
        base.add_columns(ResultRow.asset)
        .order_by(ResultRow.policy_id, ResultRow.account_id, ResultRow.region, ResultRow.asset_id)
        .execution_options(yield_per=2000)
    )
    found: dict[str, PolicyFailures] = {}
    async for row in await session.stream(query):
        if not scope.admits(row.asset):
            continue
        failures = found.setdefault(row.policy_id, PolicyFailures())
        kind = failures.exempted if row.exempted else failures.open
        kind.total += 1
        if len(kind.rows) < cap:
            kind.rows.append(_result(row))
    return found
