"""At startup, the registry learns which known policies left the packs (and which came back).

A policy id with a registry row that no loaded pack defines any more is *removed*: the audit
gains a ``removed`` revision and ``PoliciesChanged(removed_policy_ids=[id])`` goes out through the
outbox, so the violations service closes its violations as ``policy_removed``. The audit row is
the memory: a restart finds the latest revision already says removed and emits nothing again.
A removed id that is back in a pack gets a ``restored`` revision and a ``PoliciesChanged`` of
its resource type, so a later removal is seen as a new one.

A policy whose document differs from the one last deployed (new in the pack, or edited: the
registry keeps a hash of each document) is *deployed*: its resource type goes on the list of
types whose current assets inventory must replay, so the new or changed policy judges every
existing asset without waiting for the next discovery of each.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.assessor.models import PolicyChange
from pacbot.assessor.policies.compiled import CompiledPolicy
from pacbot.assessor.policies.repository import (
    add_change,
    latest_changes,
    policy_states,
    state_for_update,
)
from pacbot.assessor.policies.service import PolicyCatalog
from pacbot.common.events import POLICIES_TOPIC, Envelope, PoliciesChanged
from pacbot.common.outbox import Outbox

log = logging.getLogger("pacbot.assessor.policies")

SYSTEM_ACTOR = "assessor"
REMOVED = {"removed": {"before": False, "after": True}}
RESTORED = {"removed": {"before": True, "after": False}}
REMOVED_REASON = "no loaded pack defines this policy any more"
RESTORED_REASON = "a loaded pack defines this policy again"


def is_removal(change: PolicyChange | None) -> bool:
    """Whether this audit row records the policy leaving the packs."""
    if change is None:
        return False
    marker: Any = (change.changes or {}).get("removed")
    return isinstance(marker, dict) and marker.get("after") is True


@dataclass
class Reconciled:
    """What this startup recorded."""

    removed: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    deployed: list[str] = field(default_factory=list)
    replay_types: list[str] = field(default_factory=list)
    """Resource types of enabled policies deployed or restored now: their assets need a replay."""


async def reconcile_registry(
    session: AsyncSession, catalog: PolicyCatalog, outbox: Outbox, now: datetime
) -> Reconciled:
    """Record each removal and restoration once, in ``session``, with its event in the outbox."""
    latest = await latest_changes(session)
    outcome = Reconciled()
    for policy_id in sorted(await policy_states(session)):
        loaded = catalog.get(policy_id)
        removed_before = is_removal(latest.get(policy_id))
        if loaded is None and not removed_before:
            if await _remove(session, outbox, policy_id, now):
                outcome.removed.append(policy_id)
        elif loaded is not None and removed_before and await _restore(session, outbox, loaded, now):
            outcome.restored.append(policy_id)
    states = await policy_states(session)
    for policy in catalog.policies:
        row = states.get(policy.id)
        if row is not None and row.content_hash != policy.content_hash:
            row.content_hash = policy.content_hash
            outcome.deployed.append(policy.id)
    outcome.replay_types = sorted(
        {
            policy.document.resource
            for policy in catalog.policies
            if policy.id in {*outcome.deployed, *outcome.restored} and states[policy.id].enabled
        }
    )
    if outcome.removed or outcome.restored or outcome.deployed:
        log.info(
            "policy registry reconciled with the packs",
            extra={
                "removed": outcome.removed,
                "restored": outcome.restored,
                "deployed": len(outcome.deployed),
                "replay_types": outcome.replay_types,
            },
        )
    return outcome


async def _remove(session: AsyncSession, outbox: Outbox, policy_id: str, now: datetime) -> bool:
    if not await _record(session, policy_id, removing=True, now=now):
        return False
    event = PoliciesChanged(
        policy_ids=[policy_id], resource_types=[], removed_policy_ids=[policy_id], occurred_at=now
    )
    await _announce(outbox, session, policy_id, event)
    return True


async def _restore(
    session: AsyncSession, outbox: Outbox, policy: CompiledPolicy, now: datetime
) -> bool:
    if not await _record(session, policy.id, removing=False, now=now):
        return False
    row = await state_for_update(session, policy.id)
    enabled = row.enabled if row is not None else policy.document.enabled
    event = PoliciesChanged(
        policy_ids=[policy.id],
        resource_types=[policy.document.resource],
        disabled_policy_ids=[] if enabled else [policy.id],
        occurred_at=now,
    )
    await _announce(outbox, session, policy.id, event)
    return True


async def removal_of(session: AsyncSession, policy_id: str) -> PolicyChange | None:
    """The audit row that recorded ``policy_id`` leaving the packs, if that is its last word."""
    latest = (await latest_changes(session, policy_id)).get(policy_id)
    return latest if is_removal(latest) else None


async def _record(session: AsyncSession, policy_id: str, *, removing: bool, now: datetime) -> bool:
    """Bump the revision and audit the removal (or return); False when already recorded."""
    row = await state_for_update(session, policy_id)  # waits for a replica doing the same
    if row is None:
        return False
    if (await removal_of(session, policy_id) is not None) == removing:
        return False  # another replica recorded it while this one waited for the row lock
    row.revision = (row.revision or 0) + 1
    row.updated_at = now
    await add_change(
        session,
        PolicyChange(
            policy_id=policy_id,
            revision=row.revision,
            changed_at=now,
            changed_by=SYSTEM_ACTOR,
            reason=REMOVED_REASON if removing else RESTORED_REASON,
            changes=REMOVED if removing else RESTORED,
        ),
    )
    return True


async def _announce(
    outbox: Outbox, session: AsyncSession, policy_id: str, event: PoliciesChanged
) -> None:
    envelope = Envelope.wrap(event, source=outbox.source, subject=policy_id)
    await outbox.add(session, POLICIES_TOPIC, envelope, key=policy_id)
