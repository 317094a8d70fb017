"""Event handlers of the violations service: evaluations, asset deletions, exceptions, policies.

The runtime calls the handler once per event id, inside the transaction that also records the
id in the inbox: a redelivered event is skipped, and a failed one leaves no trace.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.events import (
    AssetDeleted,
    AssetEvaluated,
    Envelope,
    ExceptionChanged,
    FixChanged,
    PoliciesChanged,
)
from pacbot.common.outbox import Outbox
from pacbot.violations.exemptions.service import apply_exception
from pacbot.violations.lifecycle.service import (
    apply_deletion,
    apply_evaluation,
    apply_fix_notice,
    apply_policies_changed,
)
from pacbot.violations.lifecycle.transitions import Transitions

Handler = Callable[[AsyncSession, Envelope], Awaitable[None]]


def event_handler(outbox: Outbox) -> Handler:
    """One handler for the five topics; upserts need nothing here (evaluations follow)."""
    transitions = Transitions(outbox)

    async def handle_event(session: AsyncSession, envelope: Envelope) -> None:
        event = envelope.payload()
        if isinstance(event, AssetEvaluated):
            await apply_evaluation(session, transitions, event)
        elif isinstance(event, AssetDeleted):
            await apply_deletion(session, transitions, event)
        elif isinstance(event, ExceptionChanged):
            await apply_exception(session, transitions, event)
        elif isinstance(event, PoliciesChanged):
            await apply_policies_changed(session, transitions, event)
        elif isinstance(event, FixChanged):
            await apply_fix_notice(session, transitions, event)

    return handle_event
