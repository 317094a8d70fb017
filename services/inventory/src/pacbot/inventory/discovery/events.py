"""Asset events and search documents built from the asset rows; one place for both shapes."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.events import (
    ASSETS_TOPIC,
    AssetDeleted,
    AssetSummary,
    AssetUpserted,
    Envelope,
    EventData,
)
from pacbot.common.outbox import Outbox
from pacbot.inventory.models import Asset


def config_hash(config: dict[str, Any]) -> str:
    """sha256 of the canonical JSON (sorted keys, no whitespace) of a config document."""
    canonical = json.dumps(config, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def summary(asset: Asset) -> AssetSummary:
    """The asset fields every downstream event carries."""
    return AssetSummary(
        asset_id=asset.asset_id,
        account_id=asset.account_id,
        region=asset.region,
        resource_type=asset.resource_type,
        name=asset.name,
        tags=dict(asset.tags or {}),
        owner=asset.owner,
    )


def upserted(asset: Asset, *, replay: bool = False) -> AssetUpserted:
    """``asset.upserted`` for the asset's current version."""
    return AssetUpserted(
        asset=summary(asset),
        version=asset.version,
        config=asset.config,
        config_hash=asset.config_hash,
        discovered_at=asset.last_seen,
        replay=replay,
    )


def deleted(asset: Asset) -> AssetDeleted:
    """``asset.deleted`` for an asset a complete sweep no longer saw."""
    if asset.deleted_at is None:
        raise ValueError(f"{asset.asset_id} is not marked deleted")
    return AssetDeleted(asset=summary(asset), version=asset.version, deleted_at=asset.deleted_at)


async def emit(session: AsyncSession, outbox: Outbox, data: EventData, asset: Asset) -> None:
    """Stage an asset event in the caller's transaction, keyed by asset id."""
    envelope = Envelope.wrap(data, source=outbox.source, subject=asset.asset_id)
    await outbox.add(session, ASSETS_TOPIC, envelope, key=asset.asset_id)


def search_fields(asset: Asset) -> dict[str, Any]:
    """What the search backends index for an asset."""
    return {
        "asset_id": asset.asset_id,
        "account_id": asset.account_id,
        "region": asset.region,
        "resource_type": asset.resource_type,
        "name": asset.name,
        "tags": dict(asset.tags or {}),
        "deleted": asset.deleted,
        "version": asset.version,
        "updated_at": asset.last_seen.isoformat(),
    }
