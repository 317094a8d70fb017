"""What evaluations and asset deletions do to results and violations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.events import (
    AssetDeleted,
    AssetEvaluated,
    AssetSummary,
    PoliciesChanged,
    PolicyResult,
)
from pacbot.violations.exemptions.repository import covering_exception
from pacbot.violations.lifecycle.transitions import (
    Transitions,
    new_violation,
    refresh,
    violation_id,
)
from pacbot.violations.models import ResultRow, ViolationRow
from pacbot.violations.results.repository import (
    deleted_version,
    forget_deletion,
    get_result,
    mark_asset_deleted,
    store_result,
)

LIVE = ("open", "exempted")


async def apply_evaluation(
    session: AsyncSession, transitions: Transitions, evaluated: AssetEvaluated
) -> None:
    """Store each newer result; fail opens or exempts, pass closes, error/n.a. change nothing."""
    asset, version, at = evaluated.asset, evaluated.asset_version, evaluated.evaluated_at
    gone = await deleted_version(session, asset.asset_id)
    if gone is not None:
        if version <= gone:
            return  # a late evaluation of a version that no longer exists
        await forget_deletion(session, asset.asset_id)
    for result in evaluated.results:
        stored = await get_result(session, asset.asset_id, result.policy.policy_id)
        if stored is not None and version < stored.asset_version:
            continue
        await store_result(session, asset, version, result, at)
        if result.status == "fail":
            await _on_fail(session, transitions, asset, result, version, at)
        elif result.status == "pass":
            await _on_pass(session, transitions, asset, result, version, at)


async def _on_fail(
    session: AsyncSession,
    transitions: Transitions,
    asset: AssetSummary,
    result: PolicyResult,
    version: int,
    at: datetime,
) -> None:
    policy = result.policy
    row = await session.get(ViolationRow, violation_id(asset.asset_id, policy.policy_id))
    if row is None:
        row = new_violation(asset, policy, result.reason, version, at)
        previous = "new"
    else:
        previous = row.status
        refresh(row, asset, policy, result.reason, version)
    exception_id = await covering_exception(session, asset.asset_id, policy.policy_id, at)
    if exception_id is not None:
        if previous != "exempted" or row.exception_id != exception_id:
            await transitions.exempt(session, row, at, exception_id)
    elif previous != "open":
        await transitions.open(session, row, at, reopen=previous != "new")


async def _on_pass(
    session: AsyncSession,
    transitions: Transitions,
    asset: AssetSummary,
    result: PolicyResult,
    version: int,
    at: datetime,
) -> None:
    row = await session.get(ViolationRow, violation_id(asset.asset_id, result.policy.policy_id))
    if row is None or row.status not in LIVE:
        return
    refresh(row, asset, result.policy, result.reason, version)
    await transitions.close(session, row, at, "fixed")


async def apply_deletion(
    session: AsyncSession, transitions: Transitions, deleted: AssetDeleted
) -> None:
    """Close the asset's live violations as ``asset_deleted``; drop it from compliance."""
    asset_id = deleted.asset.asset_id
    await mark_asset_deleted(session, asset_id, deleted.version, deleted.deleted_at)
    rows = (
        await session.scalars(
            select(ViolationRow)
            .where(ViolationRow.asset_id == asset_id, ViolationRow.status.in_(LIVE))
            .order_by(ViolationRow.violation_id)
        )
    ).all()
    for row in rows:
        row.asset_version = max(row.asset_version, deleted.version)
        await transitions.close(session, row, deleted.deleted_at, "asset_deleted")


async def apply_policy_disabled(
    session: AsyncSession, transitions: Transitions, changed: PoliciesChanged
) -> None:
    """Close a disabled policy's live violations and drop its results from compliance.

    Re-enabling makes the assessor replay the assets, so failing ones re-open as new episodes.
    """
    ids = changed.disabled_policy_ids
    rows = (
        await session.scalars(
            select(ViolationRow)
            .where(ViolationRow.policy_id.in_(ids), ViolationRow.status.in_(LIVE))
            .order_by(ViolationRow.violation_id)
        )
    ).all()
    for row in rows:
        await transitions.close(session, row, changed.occurred_at, "policy_disabled")
    await session.execute(delete(ResultRow).where(ResultRow.policy_id.in_(ids)))
