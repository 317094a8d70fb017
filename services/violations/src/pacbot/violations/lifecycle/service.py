"""What evaluations, asset deletions and policy changes do to results and violations.

Every decision is a function of the events' own data (asset versions, ``evaluated_at``,
``deleted_at``, ``occurred_at``), never of the wall clock or of arrival order: a duplicate,
replayed or late event leaves the outcome as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.events import (
    AssetDeleted,
    AssetEvaluated,
    AssetSummary,
    FixChanged,
    PoliciesChanged,
    PolicyResult,
)
from pacbot.violations.exemptions.repository import Coverage, coverage_for
from pacbot.violations.exemptions.service import settle_failing
from pacbot.violations.lifecycle.transitions import Transitions, new_violation, refresh
from pacbot.violations.models import ResultRow, ViolationEpisode, ViolationRow
from pacbot.violations.results.repository import (
    DECISIVE,
    IN_CHUNK,
    PendingResult,
    ResultKey,
    StoredResult,
    asset_columns,
    chunks,
    deleted_versions,
    insert_results,
    mark_asset_deleted,
    note_verdict,
    results_of_assets,
    retire_policies,
    retirements,
    store_result,
    stored_key,
    verdict_key,
)

LIVE = ("open", "exempted")


async def apply_evaluation(
    session: AsyncSession, transitions: Transitions, evaluated: AssetEvaluated
) -> None:
    """One evaluation: see :func:`apply_evaluations`."""
    await apply_evaluations(session, transitions, [evaluated])


async def apply_evaluations(
    session: AsyncSession, transitions: Transitions, evaluated_list: Sequence[AssetEvaluated]
) -> None:
    """Apply evaluations in order, as if one after another, with the state they need read
    for all of them at once (a few queries per run, not a few per event).

    Per result: store it when newer; a newer fail opens or exempts, a newer pass closes.
    ``error`` and ``not_applicable`` are stored (when newer) but open and close nothing.
    Between evaluations only results and violations change (tombstones, retirements and
    exceptions come from other events), so the prefetched maps stay exact: each evaluation
    updates them for the next one.
    """
    if not evaluated_list:
        return
    asset_ids = list(dict.fromkeys(e.asset.asset_id for e in evaluated_list))
    policy_ids = list(dict.fromkeys(r.policy.policy_id for e in evaluated_list for r in e.results))
    if not policy_ids:
        return
    # violations are locked before results are read, in every handler (no lock-order deadlock)
    violations = await _violations_of(session, asset_ids, policy_ids)
    episodes = await _current_episodes(session, violations.values())  # close() finds them
    gone = await deleted_versions(session, asset_ids)
    retired = await retirements(session, policy_ids)
    stored = await results_of_assets(session, asset_ids, policy_ids)
    run = _Run(session, transitions, asset_ids, violations, dict(stored))
    run.episodes = episodes
    for evaluated in evaluated_list:
        deleted_at_version = gone.get(evaluated.asset.asset_id)
        if deleted_at_version is not None and evaluated.asset_version <= deleted_at_version:
            continue  # a late evaluation of a version that no longer exists
        await run.apply(evaluated, retired)
    # the results seen for the first time, as the run left them, in one statement
    await insert_results(
        session, [row for row in run.stored.values() if isinstance(row, PendingResult)]
    )


class _Run:
    """The state of a run of evaluations: stored results and violations by (asset, policy)."""

    def __init__(
        self,
        session: AsyncSession,
        transitions: Transitions,
        asset_ids: list[str],
        violations: dict[tuple[str, str], ViolationRow],
        stored: dict[tuple[str, str], StoredResult],
    ) -> None:
        self.session = session
        self.transitions = transitions
        self.asset_ids = asset_ids
        self.violations = violations
        self.stored = stored
        self.coverage: Coverage | None = None
        self.episodes: list[ViolationEpisode] = []  # held: the session only keeps weak refs

    async def apply(self, evaluated: AssetEvaluated, retired: dict[str, datetime]) -> None:
        session, transitions = self.session, self.transitions
        asset, version, at = evaluated.asset, evaluated.asset_version, evaluated.evaluated_at
        key: ResultKey = (version, at)
        columns = asset_columns(asset)  # once per evaluation, shared by its rows
        for result in evaluated.results:
            policy_id = result.policy.policy_id
            if policy_id in retired and at <= retired[policy_id]:
                continue  # evaluated before the policy was disabled or removed
            pair = (asset.asset_id, policy_id)
            row = self.stored.get(pair)
            verdict = verdict_key(row) if row is not None else None
            if row is None or key > stored_key(row):
                self.stored[pair] = row = store_result(row, asset, version, result, at, columns)
            elif result.status in DECISIVE and (verdict is None or key > verdict):
                note_verdict(row, key)  # a late verdict behind a newer error still decides
            if result.status not in DECISIVE or (verdict is not None and key <= verdict):
                continue
            if result.status == "fail":
                if self.coverage is None:  # exceptions do not change within a run
                    self.coverage = await coverage_for(session, self.asset_ids)
                self.violations[pair] = await _on_fail(
                    session,
                    transitions,
                    self.violations.get(pair),
                    asset,
                    result,
                    key,
                    self.coverage,
                    columns,
                )
            else:
                await _on_pass(
                    session, transitions, self.violations.get(pair), asset, result, key, columns
                )


async def _violations_of(
    session: AsyncSession, asset_ids: list[str], policy_ids: list[str]
) -> dict[tuple[str, str], ViolationRow]:
    """The assets' violations of these policies, locked for this transaction in id order,
    by (asset id, policy id)."""
    found: dict[tuple[str, str], ViolationRow] = {}
    for chunk in chunks(asset_ids):
        rows = await session.scalars(
            select(ViolationRow)
            .where(ViolationRow.asset_id.in_(chunk), ViolationRow.policy_id.in_(policy_ids))
            .order_by(ViolationRow.violation_id)
            .with_for_update()
        )
        found.update({(row.asset_id, row.policy_id): row for row in rows})
    return found


async def _current_episodes(
    session: AsyncSession, violations: Iterable[ViolationRow]
) -> list[ViolationEpisode]:
    """The current episodes of the live violations, loaded into the session (and kept by the
    caller) so a close finds its episode without a query of its own."""
    pairs = [(v.violation_id, v.episode) for v in violations if v.status in LIVE]
    loaded: list[ViolationEpisode] = []
    for start in range(0, len(pairs), IN_CHUNK):
        chunk = pairs[start : start + IN_CHUNK]
        loaded.extend(
            await session.scalars(
                select(ViolationEpisode).where(
                    tuple_(ViolationEpisode.violation_id, ViolationEpisode.episode).in_(chunk)
                )
            )
        )
    return loaded


async def _on_fail(
    session: AsyncSession,
    transitions: Transitions,
    row: ViolationRow | None,
    asset: AssetSummary,
    result: PolicyResult,
    key: ResultKey,
    coverage: Coverage,
    columns: dict[str, Any],
) -> ViolationRow:
    version, at = key
    if row is None:
        row = new_violation(asset, result.policy, result.reason, version, at, columns)
    else:
        refresh(row, asset, result.policy, result.reason, version, columns)
    await settle_failing(session, transitions, row, coverage, at)
    return row


async def _on_pass(
    session: AsyncSession,
    transitions: Transitions,
    row: ViolationRow | None,
    asset: AssetSummary,
    result: PolicyResult,
    key: ResultKey,
    columns: dict[str, Any],
) -> None:
    if row is None or row.status not in LIVE:
        return
    refresh(row, asset, result.policy, result.reason, key[0], columns)
    await transitions.close(session, row, key[1], "fixed", result.reason)


async def apply_deletion(
    session: AsyncSession, transitions: Transitions, deleted: AssetDeleted
) -> None:
    """Close the asset's live violations as ``asset_deleted``; drop it from compliance.

    Only what was decided on a version up to the deleted one is affected: a late deletion
    leaves a newer incarnation of the asset alone.
    """
    asset_id, version = deleted.asset.asset_id, deleted.version
    rows = (  # violations are locked before results, in every handler (no lock-order deadlock)
        await session.scalars(
            select(ViolationRow)
            .where(
                ViolationRow.asset_id == asset_id,
                ViolationRow.status.in_(LIVE),
                ViolationRow.asset_version <= version,
            )
            .order_by(ViolationRow.violation_id)
            .with_for_update()
        )
    ).all()
    await mark_asset_deleted(session, asset_id, version, deleted.deleted_at)
    for row in rows:
        row.asset_version = version
        await transitions.close(session, row, deleted.deleted_at, "asset_deleted")


async def apply_policies_changed(
    session: AsyncSession, transitions: Transitions, changed: PoliciesChanged
) -> None:
    """Disabled and removed policies: close their live violations and drop their results.

    Re-enabling makes the assessor replay the assets, so failing ones re-open as new episodes;
    an evaluation made before the retirement but delivered after it is ignored.
    """
    removed = list(dict.fromkeys(changed.removed_policy_ids))
    disabled = [p for p in dict.fromkeys(changed.disabled_policy_ids) if p not in removed]
    if removed:
        await _retire(session, transitions, removed, "policy_removed", changed.occurred_at)
    if disabled:
        await _retire(session, transitions, disabled, "policy_disabled", changed.occurred_at)


async def _retire(
    session: AsyncSession,
    transitions: Transitions,
    policy_ids: list[str],
    reason: Literal["policy_disabled", "policy_removed"],
    at: datetime,
) -> None:
    rows = (
        await session.scalars(
            select(ViolationRow)
            .where(ViolationRow.policy_id.in_(policy_ids), ViolationRow.status.in_(LIVE))
            .order_by(ViolationRow.violation_id)
            .with_for_update()
        )
    ).all()
    newer = {
        (r.asset_id, r.policy_id)
        for r in await session.scalars(
            select(ResultRow).where(
                ResultRow.policy_id.in_(policy_ids), ResultRow.evaluated_at > at
            )
        )
    }
    for row in rows:
        if (row.asset_id, row.policy_id) not in newer:  # else re-enabled and re-evaluated since
            await transitions.close(session, row, at, reason)
    await retire_policies(session, policy_ids, reason, at)


async def apply_fix_notice(
    session: AsyncSession, transitions: Transitions, changed: FixChanged
) -> None:
    """AutoFix's notice or reminder reached the owner: the timeline says so (``reminded``).

    AutoFix announces these only once a notification was delivered, so the timeline never
    claims an owner was told when nobody was.
    """
    if changed.event_type not in ("pacbot.fix.notified", "pacbot.fix.reminded"):
        return
    row = await session.get(ViolationRow, changed.violation_id, with_for_update=True)
    if row is None or row.status not in LIVE:
        return
    mode = "dry run" if changed.dry_run else "will apply"
    transitions.remind(
        row,
        changed.occurred_at,
        f"owner notified by AutoFix ({changed.action}, {mode}): {changed.detail}",
    )
