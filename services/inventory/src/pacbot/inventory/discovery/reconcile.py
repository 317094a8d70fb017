"""Apply one sweep's findings to the asset table and the outbox, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.outbox import Outbox
from pacbot.inventory.connectors import DiscoveredAsset
from pacbot.inventory.discovery import events
from pacbot.inventory.history import repository as history
from pacbot.inventory.models import Asset


@dataclass(frozen=True)
class SweepKey:
    """What one sweep covers; region ``global`` covers every region of a global type."""

    account_id: str
    region: str
    resource_type: str


@dataclass
class Changes:
    """Assets whose state changed, for the search index after the commit."""

    upserted: list[Asset] = field(default_factory=list)
    deleted: list[Asset] = field(default_factory=list)


async def known_assets(session: AsyncSession, key: SweepKey) -> dict[str, Asset]:
    """Every asset (deleted or not) the sweep of ``key`` is responsible for."""
    query = select(Asset).where(
        Asset.account_id == key.account_id, Asset.resource_type == key.resource_type
    )
    if key.region != "global":
        query = query.where(Asset.region == key.region)
    return {a.asset_id: a for a in await session.scalars(query)}


async def reconcile(
    session: AsyncSession,
    outbox: Outbox,
    key: SweepKey,
    found: list[DiscoveredAsset],
    now: datetime,
    *,
    only: Callable[[Asset], bool] | None = None,
) -> Changes:
    """Upsert changed assets, touch unchanged ones, delete the unseen; events go to the outbox.

    ``only`` narrows deletion to the known assets it accepts (a targeted re-discovery after a
    change event lists the whole scope but speaks only for the resources the event named).
    """
    known = await known_assets(session, key)
    elsewhere = await _rows(session, [i.asset_id for i in found if i.asset_id not in known])
    changes = Changes()
    seen: set[str] = set()
    for item in found:
        if item.asset_id in seen:
            continue
        seen.add(item.asset_id)
        asset = known.get(item.asset_id) or elsewhere.get(item.asset_id)
        previous = None if asset is None or asset.deleted else dict(asset.config)
        changed = _apply(session, asset, item, key, now)
        if changed is not None:
            kind = "created" if previous is None else "updated"
            await history.record(session, changed, previous, kind, now)
            await events.emit(session, outbox, events.upserted(changed), changed)
            changes.upserted.append(changed)
    for asset in known.values():
        if asset.asset_id in seen or asset.deleted or (only is not None and not only(asset)):
            continue
        asset.deleted, asset.deleted_at, asset.version = True, now, asset.version + 1
        await history.record(session, asset, None, "deleted", now)
        await events.emit(session, outbox, events.deleted(asset), asset)
        changes.deleted.append(asset)
    await session.flush()
    return changes


async def _rows(session: AsyncSession, asset_ids: list[str]) -> dict[str, Asset]:
    """Rows of assets the sweep's scope did not cover (e.g. moved region), in one query."""
    rows: dict[str, Asset] = {}
    for start in range(0, len(asset_ids), 500):
        chunk = asset_ids[start : start + 500]
        rows.update(
            (a.asset_id, a)
            for a in await session.scalars(select(Asset).where(Asset.asset_id.in_(chunk)))
        )
    return rows


def _apply(
    session: AsyncSession, asset: Asset | None, item: DiscoveredAsset, key: SweepKey, now: datetime
) -> Asset | None:
    """Write ``item`` onto its row; returns the row when its state changed, else None."""
    digest = events.config_hash(item.config)
    if asset is None:
        asset = Asset(asset_id=item.asset_id, version=0, first_seen=now)
        session.add(asset)
    elif not asset.deleted and asset.config_hash == digest:
        asset.last_seen = now
        return None
    asset.account_id, asset.resource_type = key.account_id, key.resource_type
    asset.region = item.region
    asset.name, asset.tags, asset.owner = item.name, dict(item.tags), item.owner
    asset.config, asset.config_hash = item.config, digest
    asset.version, asset.deleted, asset.deleted_at = asset.version + 1, False, None
    asset.last_seen = now
    return asset
