"""Evaluates upserted asset versions against every enabled policy for their type."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.assessor.evaluations.repository import evaluated_versions, remember_versions
from pacbot.assessor.policies.service import ActivePolicy, PolicyCatalog
from pacbot.common.events import AssetEvaluated, AssetUpserted, PolicyRef, PolicyResult, utcnow


def is_stale(event: AssetUpserted, last: int | None) -> bool:
    """Older versions are skipped; the same version only re-evaluates when it is a replay."""
    if last is None:
        return False
    return event.version < last or (event.version == last and not event.replay)


async def enabled_by_type(
    session: AsyncSession, catalog: PolicyCatalog
) -> dict[str, list[ActivePolicy]]:
    """The enabled policies grouped by resource type: the registry is read once per batch."""
    by_type: dict[str, list[ActivePolicy]] = defaultdict(list)
    for active in await catalog.states(session):
        if active.enabled:
            by_type[active.policy.document.resource].append(active)
    return by_type


def judge(
    config: dict[str, Any], policies: Sequence[tuple[ActivePolicy, PolicyRef]]
) -> list[PolicyResult]:
    """Each policy's result on one config, with the ``PolicyRef`` built once per batch.

    Same results as ``CompiledPolicy.result``; the parts come from the typed ``Outcome``
    (status literal, reason text, evidence map with text keys) and the ``PolicyRef`` model,
    so the result is assembled without validating them a second time.
    """
    results = []
    for active, ref in policies:
        outcome = active.policy.evaluate(config, active.overrides)
        results.append(
            PolicyResult.model_construct(
                policy=ref,
                status=outcome.status,
                reason=outcome.reason,
                evidence=outcome.evidence,
            )
        )
    return results


async def evaluate_upserts(
    session: AsyncSession, catalog: PolicyCatalog, events: Sequence[AssetUpserted]
) -> list[AssetEvaluated]:
    """One evaluation per new asset version, in event order; stale versions give none.

    Two versions of one asset in the same batch are judged as if they came one by one: the
    cursor advances in memory as the batch goes, and is written once at the end.
    """
    if not events:
        return []
    before = await evaluated_versions(session, {event.asset.asset_id for event in events})
    versions = dict(before)
    refs = {
        resource: [(a, a.policy.ref(catalog.grace_override)) for a in actives]
        for resource, actives in (await enabled_by_type(session, catalog)).items()
    }
    evaluated: list[AssetEvaluated] = []
    for event in events:
        asset = event.asset
        if is_stale(event, versions.get(asset.asset_id)):
            continue
        versions[asset.asset_id] = event.version
        evaluated.append(
            AssetEvaluated(
                asset=asset,
                asset_version=event.version,
                evaluated_at=utcnow(),
                results=judge(event.config, refs.get(asset.resource_type, ())),
            )
        )
    moved = {e.asset.asset_id: versions[e.asset.asset_id] for e in evaluated}
    await remember_versions(session, before, moved, utcnow())
    return evaluated
