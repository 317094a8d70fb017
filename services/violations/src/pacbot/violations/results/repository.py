"""Queries on results, asset tombstones and retired policies.

A result is ordered by its key ``(asset_version, evaluated_at)``: the stored one is the newest
seen; its verdict key is the newest pass/fail seen (error and not_applicable decide nothing).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.events import AssetSummary, PolicyResult
from pacbot.violations.aggregates.maintenance import insert_counted
from pacbot.violations.models import AssetTombstone, ResultRow, RetiredPolicy, as_utc

ResultKey = tuple[int, datetime]
T = TypeVar("T")
DECISIVE = ("pass", "fail")
RETIRE_BATCH = 1000
IN_CHUNK = 400  # ids per IN list (well under both databases' parameter limits)


def chunks(ids: Sequence[str]) -> list[Sequence[str]]:
    """``ids`` in slices of at most IN_CHUNK, for IN lists."""
    return [ids[start : start + IN_CHUNK] for start in range(0, len(ids), IN_CHUNK)]


def stored_key(row: StoredResult) -> ResultKey:
    """The order key of the stored result."""
    return (row.asset_version, as_utc(row.evaluated_at))


def verdict_key(row: StoredResult) -> ResultKey | None:
    """The order key of the latest pass/fail of this (asset, policy), if any."""
    if row.verdict_version is None or row.verdict_at is None:
        return None
    return (row.verdict_version, as_utc(row.verdict_at))


async def get_result(session: AsyncSession, asset_id: str, policy_id: str) -> ResultRow | None:
    """The stored result of ``policy_id`` on ``asset_id``."""
    return await session.get(ResultRow, (asset_id, policy_id))


async def results_of_assets(
    session: AsyncSession, asset_ids: Sequence[str], policy_ids: Collection[str]
) -> dict[tuple[str, str], ResultRow]:
    """The stored results of these policies on these assets, by (asset id, policy id)."""
    found: dict[tuple[str, str], ResultRow] = {}
    for chunk in chunks(asset_ids):
        for row in await session.scalars(
            select(ResultRow).where(
                ResultRow.asset_id.in_(chunk), ResultRow.policy_id.in_(policy_ids)
            )
        ):
            found[(row.asset_id, row.policy_id)] = row
    return found


def asset_columns(asset: AssetSummary) -> dict[str, Any]:
    """The columns a result or violation copies from its asset summary: built once per
    evaluation and shared by its rows (they are replaced, never changed in place)."""
    return {
        "account_id": asset.account_id,
        "region": asset.region,
        "resource_type": asset.resource_type,
        "asset_name": asset.name,
        "owner": asset.owner,
        "tags": dict(asset.tags),
        "asset": asset.model_dump(mode="json"),
    }


def new_row(model: type[T], fields: dict[str, Any]) -> T:
    """A new (transient) row of ``model`` holding ``fields``, for ``session.add``.

    Made without the constructor's attribute event per field: a pending row has no history to
    keep, and its INSERT takes the values from its state. ``fields`` must be mapped attributes.
    """
    row: T = model.__mapper__.class_manager.new_instance()  # type: ignore[attr-defined]
    row.__dict__.update(fields)
    return row


def assign(row: Any, fields: dict[str, Any]) -> None:
    """Set the row's attributes to ``fields``, leaving out those that already hold an equal
    value (setting one changes nothing in the flush, and costs an attribute event)."""
    held = row.__dict__
    for name, value in fields.items():
        if name not in held or held[name] != value:
            setattr(row, name, value)


class PendingResult:
    """A result stored for the first time by a run of evaluations: held in memory (later
    evaluations of the run may change it) and inserted with the run's others by
    :func:`insert_results`, one statement, instead of an ORM object per row."""

    asset_id: str
    policy_id: str
    asset_version: int
    status: str
    evaluated_at: datetime
    verdict_version: int | None
    verdict_at: datetime | None

    def __init__(self, fields: dict[str, Any]) -> None:
        """``fields``: every column but the verdict's (no pass/fail seen yet)."""
        self.__dict__.update(verdict_version=None, verdict_at=None, **fields)

    def values(self) -> dict[str, Any]:
        """The row to insert: its attributes are exactly the table's columns."""
        return self.__dict__


StoredResult = ResultRow | PendingResult


def store_result(
    row: StoredResult | None,
    asset: AssetSummary,
    version: int,
    result: PolicyResult,
    evaluated_at: datetime,
    columns: dict[str, Any] | None = None,
) -> StoredResult:
    """Make ``result`` the stored one (``row`` is the current one, if any); it is live again.

    Without a current one, the result is a :class:`PendingResult` that the caller inserts
    with :func:`insert_results`. ``columns`` are :func:`asset_columns` of ``asset``, if
    already built. The status and reason are kept as given, ``error`` included: the read side
    shows it as unknown. Only a pass/fail moves the verdict key.
    """
    policy = result.policy
    fields = {
        "asset_version": version,
        "status": result.status,
        "reason": result.reason,
        "evidence": result.evidence,
        **(columns if columns is not None else asset_columns(asset)),
        "policy_name": policy.name,
        "severity": policy.severity,
        "category": policy.category,
        "policy": policy.model_dump(mode="json"),
        "deleted": False,
        "evaluated_at": evaluated_at,
    }
    stored: StoredResult
    if row is None:
        fields["asset_id"], fields["policy_id"] = asset.asset_id, policy.policy_id
        stored = PendingResult(fields)
    elif isinstance(row, PendingResult):
        for name, value in fields.items():
            setattr(row, name, value)
        stored = row
    else:
        assign(row, fields)
        stored = row
    if result.status in DECISIVE:
        note_verdict(stored, (version, evaluated_at))
    return stored


def note_verdict(row: StoredResult, key: ResultKey) -> None:
    """Remember ``key`` as the latest pass/fail seen for this (asset, policy)."""
    row.verdict_version, row.verdict_at = key


async def insert_results(session: AsyncSession, pending: Sequence[PendingResult]) -> None:
    """Insert new results, counted into the tallies (see ``aggregates.maintenance``)."""
    if pending:
        await session.run_sync(insert_counted, pending)


async def mark_asset_deleted(
    session: AsyncSession, asset_id: str, version: int, deleted_at: datetime
) -> None:
    """Exclude the asset's results up to ``version`` from compliance; keep the highest tombstone.

    The tombstone stays when the asset comes back (with a higher version): it is what makes a
    late evaluation of a deleted version, or a late deletion, change nothing.
    """
    for row in await session.scalars(
        select(ResultRow).where(ResultRow.asset_id == asset_id, ResultRow.asset_version <= version)
    ):
        row.deleted = True  # through the ORM, so the tallies count it
    tombstone = await session.get(AssetTombstone, asset_id, with_for_update=True)
    if tombstone is None:
        session.add(AssetTombstone(asset_id=asset_id, version=version, deleted_at=deleted_at))
    elif version > tombstone.version:
        tombstone.version = version
        tombstone.deleted_at = deleted_at


async def deleted_versions(session: AsyncSession, asset_ids: Sequence[str]) -> dict[str, int]:
    """The highest version at which each of these assets was deleted (absent: never)."""
    found: dict[str, int] = {}
    for chunk in chunks(asset_ids):
        rows = await session.execute(
            select(AssetTombstone.asset_id, AssetTombstone.version).where(
                AssetTombstone.asset_id.in_(chunk)
            )
        )
        found.update({asset_id: version for asset_id, version in rows})
    return found


async def retire_policies(
    session: AsyncSession, policy_ids: Sequence[str], reason: str, at: datetime
) -> None:
    """Drop the policies' results evaluated until ``at``; remember the latest retirement.

    Rows are deleted through the ORM (so the tallies count it), a batch per flush.
    """
    stale = (
        select(ResultRow)
        .where(ResultRow.policy_id.in_(policy_ids), ResultRow.evaluated_at <= at)
        .order_by(ResultRow.asset_id, ResultRow.policy_id)
        .limit(RETIRE_BATCH)
    )
    while batch := (await session.scalars(stale)).all():
        for result in batch:
            await session.delete(result)
        await session.flush()
    known = {
        row.policy_id: row
        for row in await session.scalars(
            select(RetiredPolicy).where(RetiredPolicy.policy_id.in_(policy_ids))
        )
    }
    for policy_id in dict.fromkeys(policy_ids):
        row = known.get(policy_id)
        if row is None:
            session.add(RetiredPolicy(policy_id=policy_id, reason=reason, retired_at=at))
        elif at > as_utc(row.retired_at):
            row.reason, row.retired_at = reason, at


async def retirements(session: AsyncSession, policy_ids: Collection[str]) -> dict[str, datetime]:
    """When each of these policies was last disabled or removed (absent: never)."""
    rows = await session.execute(
        select(RetiredPolicy.policy_id, RetiredPolicy.retired_at).where(
            RetiredPolicy.policy_id.in_(policy_ids)
        )
    )
    return {policy_id: as_utc(at) for policy_id, at in rows}
