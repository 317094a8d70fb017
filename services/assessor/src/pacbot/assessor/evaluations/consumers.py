"""Handles ``pacbot.assets.v1`` a batch at a time: each new asset version becomes one evaluation."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.assessor.evaluations.service import evaluate_upserts
from pacbot.assessor.policies.service import PolicyCatalog
from pacbot.common.events import EVALUATIONS_TOPIC, AssetUpserted, Envelope, encode_event
from pacbot.common.outbox import Outbox

log = logging.getLogger("pacbot.assessor.evaluations")
AssetBatchHandler = Callable[[AsyncSession, Sequence[Envelope]], Awaitable[None]]


def asset_batch_handler(catalog: PolicyCatalog, outbox: Outbox) -> AssetBatchHandler:
    """A batch handler that evaluates upserts; deletions need none (violations closes them)."""

    async def handle_asset_events(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        upserts = [e for e in (env.payload() for env in envelopes) if isinstance(e, AssetUpserted)]
        evaluated = await evaluate_upserts(session, catalog, upserts)
        if len(evaluated) < len(upserts):
            log.debug(
                "skipped already evaluated asset versions",
                extra={"skipped": len(upserts) - len(evaluated)},
            )
        await outbox.add_encoded(
            session,
            EVALUATIONS_TOPIC,
            [
                (e.asset.asset_id, encode_event(e, source=outbox.source, subject=e.asset.asset_id))
                for e in evaluated
            ],
        )

    return handle_asset_events
