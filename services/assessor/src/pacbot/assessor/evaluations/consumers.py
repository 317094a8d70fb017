"""Handles ``pacbot.assets.v1``: each new asset version becomes one evaluation event."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.assessor.evaluations.service import evaluate_upsert
from pacbot.assessor.policies.service import PolicyCatalog
from pacbot.common.events import EVALUATIONS_TOPIC, AssetUpserted, Envelope
from pacbot.common.outbox import Outbox

log = logging.getLogger("pacbot.assessor.evaluations")
AssetHandler = Callable[[AsyncSession, Envelope], Awaitable[None]]


def asset_handler(catalog: PolicyCatalog, outbox: Outbox) -> AssetHandler:
    """A handler that evaluates upserts; deletions need no evaluation (violations closes them)."""

    async def handle_asset_event(session: AsyncSession, envelope: Envelope) -> None:
        event = envelope.payload()
        if not isinstance(event, AssetUpserted):
            return
        evaluated = await evaluate_upsert(session, catalog, event)
        if evaluated is None:
            log.debug(
                "skipping evaluated asset version",
                extra={"asset_id": event.asset.asset_id, "version": event.version},
            )
            return
        asset_id = event.asset.asset_id
        await outbox.add(
            session,
            EVALUATIONS_TOPIC,
            Envelope.wrap(evaluated, source=outbox.source, subject=asset_id),
            key=asset_id,
        )

    return handle_asset_event
