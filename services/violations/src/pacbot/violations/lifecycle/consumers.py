"""Event handlers of the violations service: evaluations, asset deletions, exceptions, policies.

The runtime hands the handler the fresh events of one partition slice, in order, inside the
transaction that also records their ids in the inbox: a redelivered event is skipped, and a
failed batch leaves no trace (the bus then applies its events one by one, so a poison event
is dead-lettered alone).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.events import (
    AssetDeleted,
    AssetEvaluated,
    Envelope,
    EventData,
    ExceptionChanged,
    FixChanged,
    PoliciesChanged,
)
from pacbot.common.outbox import Outbox
from pacbot.violations.exemptions.service import apply_exception
from pacbot.violations.lifecycle.service import (
    apply_deletion,
    apply_evaluations,
    apply_fix_notice,
    apply_policies_changed,
)
from pacbot.violations.lifecycle.transitions import Transitions

Handler = Callable[[AsyncSession, Envelope], Awaitable[None]]
BatchHandler = Callable[[AsyncSession, Sequence[Envelope]], Awaitable[None]]


def batch_handler(outbox: Outbox) -> BatchHandler:
    """One handler for the five topics, a batch per transaction; upserts need nothing here
    (evaluations follow).

    Consecutive evaluations are applied together (their state read at once); every other
    event is applied in its place in the sequence, so the outcome is that of applying the
    events one after another.
    """

    async def handle_batch(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        transitions = Transitions(outbox)  # one per transaction: it holds the staged events
        run: list[AssetEvaluated] = []
        for envelope in envelopes:
            event = envelope.payload()
            if isinstance(event, AssetEvaluated):
                run.append(event)
                continue
            if run:
                await apply_evaluations(session, transitions, run)
                run = []
            await _apply_other(session, transitions, event)
        if run:
            await apply_evaluations(session, transitions, run)
        await transitions.stage(session)

    return handle_batch


def event_handler(outbox: Outbox) -> Handler:
    """The batch handler applied to one event."""
    handle_batch = batch_handler(outbox)

    async def handle_event(session: AsyncSession, envelope: Envelope) -> None:
        await handle_batch(session, [envelope])

    return handle_event


async def _apply_other(session: AsyncSession, transitions: Transitions, event: EventData) -> None:
    if isinstance(event, AssetDeleted):
        await apply_deletion(session, transitions, event)
    elif isinstance(event, ExceptionChanged):
        await apply_exception(session, transitions, event)
    elif isinstance(event, PoliciesChanged):
        await apply_policies_changed(session, transitions, event)
    elif isinstance(event, FixChanged):
        await apply_fix_notice(session, transitions, event)
