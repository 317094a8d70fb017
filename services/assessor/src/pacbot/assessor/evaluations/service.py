"""Evaluates an upserted asset version against every enabled policy for its type."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.assessor.evaluations.repository import last_version, remember_version
from pacbot.assessor.policies.service import PolicyCatalog
from pacbot.common.events import AssetEvaluated, AssetUpserted, utcnow


def is_stale(event: AssetUpserted, last: int | None) -> bool:
    """Older versions are skipped; the same version only re-evaluates when it is a replay."""
    if last is None:
        return False
    return event.version < last or (event.version == last and not event.replay)


async def evaluate_upsert(
    session: AsyncSession, catalog: PolicyCatalog, event: AssetUpserted
) -> AssetEvaluated | None:
    """The evaluation of this asset version, or None when it was already evaluated."""
    asset = event.asset
    if is_stale(event, await last_version(session, asset.asset_id)):
        return None
    applicable = await catalog.applicable(session, asset.resource_type)
    results = [
        a.policy.result(event.config, a.overrides, catalog.grace_override) for a in applicable
    ]
    now = utcnow()
    await remember_version(session, asset.asset_id, event.version, now)
    return AssetEvaluated(
        asset=asset, asset_version=event.version, evaluated_at=now, results=results
    )
