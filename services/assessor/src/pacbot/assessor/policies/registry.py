"""Operator changes to the policy registry: validated, audited, announced and replayed."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.assessor.conditions import CHECKS, ConditionError, compile_condition, format_path
from pacbot.assessor.models import PolicyChange, PolicyState
from pacbot.assessor.policies.repository import add_change, state_for_update
from pacbot.assessor.policies.service import ActivePolicy, PolicyCatalog
from pacbot.common.events import POLICIES_TOPIC, Envelope, PoliciesChanged, utcnow
from pacbot.common.outbox import Outbox
from pacbot.common.runtime import Runtime
from pacbot.common.web import DomainError, NotFound

log = logging.getLogger("pacbot.assessor.policies")


class InvalidChange(DomainError):
    """A registry change that does not fit the policy (unknown param, a value it cannot use)."""

    status_code = 422


@dataclass(frozen=True)
class PolicyPatchSpec:
    """What an operator asks to change; ``None`` / empty leaves that part as it is."""

    changed_by: str
    enabled: bool | None = None
    params: dict[str, Any] | None = None
    reason: str | None = None


@dataclass(frozen=True)
class ChangeOutcome:
    """The policy after the change, and the audit row (None when nothing actually changed)."""

    active: ActivePolicy
    change: PolicyChange | None


@dataclass(frozen=True)
class ReplayOutcome:
    """What inventory said to the replay request."""

    status: str  # "requested" | "failed" | "skipped"
    replayed: int | None = None
    error: str | None = None


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return type(value).__name__


def validate_params(active: ActivePolicy, params: dict[str, Any]) -> dict[str, Any]:
    """The effective params after ``params``; 422 naming ``params.<name>`` when one is unusable."""
    doc = active.policy.document
    effective = active.params
    for name, value in params.items():
        field = f"params.{name}"
        spec = doc.params.get(name)
        if spec is None:
            known = ", ".join(sorted(doc.params)) or "none declared"
            raise InvalidChange(
                f"unknown param {name!r} for policy {doc.id!r}; expected one of {known}",
                field=field,
            )
        if spec.default is not None and _kind(value) != _kind(spec.default):
            raise InvalidChange(
                f"param {name!r} expects a {_kind(spec.default)} (its default is "
                f"{spec.default!r}), got {_kind(value)} {value!r}",
                field=field,
            )
        _compile(doc.condition, {**effective, name: value}, field)
    merged = {**effective, **params}
    _compile(doc.condition, merged, "params")
    return merged


def _compile(condition: dict[str, Any], params: dict[str, Any], field: str) -> None:
    try:
        compile_condition(condition, ("condition",), params, CHECKS)
    except ConditionError as exc:
        raise InvalidChange(
            f"{field}: the condition does not accept this value: "
            f"{format_path(exc.path)}: {exc.message}",
            field=field,
        ) from exc


async def change_policy(
    session: AsyncSession,
    catalog: PolicyCatalog,
    outbox: Outbox,
    policy_id: str,
    patch: PolicyPatchSpec,
) -> ChangeOutcome:
    """Apply ``patch`` in ``session``: bump the revision, audit it and stage ``PoliciesChanged``."""
    active = await catalog.state(session, policy_id)
    if active is None:
        raise NotFound(f"no policy {policy_id!r}", field="policy_id")
    if patch.enabled is None and not patch.params:
        raise InvalidChange("nothing to change: give enabled and/or params", field="enabled")
    doc = active.policy.document
    before_params = active.params
    after_params = validate_params(active, patch.params) if patch.params else before_params
    after_enabled = active.enabled if patch.enabled is None else patch.enabled

    changes: dict[str, Any] = {}
    if after_enabled != active.enabled:
        changes["enabled"] = {"before": active.enabled, "after": after_enabled}
    param_changes = {
        name: {"before": before_params.get(name), "after": value}
        for name, value in after_params.items()
        if before_params.get(name) != value or _kind(before_params.get(name)) != _kind(value)
    }
    if param_changes:
        changes["params"] = param_changes
    if not changes:
        return ChangeOutcome(active, None)

    now = utcnow()
    row = await state_for_update(session, policy_id)
    if row is None:
        row = PolicyState(
            policy_id=policy_id, enabled=active.enabled, param_overrides={}, revision=0
        )
        session.add(row)
    row.enabled = after_enabled
    overrides = dict(row.param_overrides or {})
    overrides.update(patch.params or {})
    row.param_overrides = overrides  # a new dict, so the JSON column is seen as changed
    row.revision = (row.revision or 0) + 1
    row.updated_at = now
    change = PolicyChange(
        policy_id=policy_id,
        revision=row.revision,
        changed_at=now,
        changed_by=patch.changed_by,
        reason=patch.reason,
        changes=changes,
    )
    await add_change(session, change)
    event = PoliciesChanged(
        policy_ids=[policy_id],
        resource_types=[doc.resource],
        disabled_policy_ids=[] if after_enabled else [policy_id],
        occurred_at=now,
    )
    await outbox.add(
        session,
        POLICIES_TOPIC,
        Envelope.wrap(event, source=outbox.source, subject=policy_id),
        key=policy_id,
    )
    updated = await catalog.state(session, policy_id)
    assert updated is not None  # the policy is loaded; only its row changed
    return ChangeOutcome(updated, change)


async def request_replay(runtime: Runtime, resource_types: list[str]) -> ReplayOutcome:
    """Ask inventory to re-emit the current assets of ``resource_types``; never raises.

    Called after the change committed. When inventory is unreachable the change stays, and the
    ``PoliciesChanged`` event already on ``pacbot.policies.v1`` lets a later replay catch up.
    """
    if not resource_types:
        return ReplayOutcome("skipped")
    try:
        response = await runtime.service("inventory").post(
            "/assets/replay", json={"resource_types": sorted(set(resource_types))}
        )
    except httpx.HTTPError as exc:
        log.warning(
            "asset replay request failed; the policy change stays",
            extra={"resource_types": resource_types, "error": repr(exc)},
        )
        return ReplayOutcome("failed", error=f"inventory unreachable ({type(exc).__name__})")
    if response.status_code >= 300:
        log.warning(
            "asset replay refused; the policy change stays",
            extra={"resource_types": resource_types, "status": response.status_code},
        )
        return ReplayOutcome("failed", error=f"inventory answered {response.status_code}")
    replayed = None
    try:
        body = response.json()
        replayed = int(body["replayed"]) if isinstance(body, dict) else None
    except (ValueError, KeyError, TypeError):
        replayed = None
    return ReplayOutcome("requested", replayed=replayed)


async def replay_until_accepted(
    runtime: Runtime, resource_types: list[str], *, first_wait: float = 1.0, max_wait: float = 60.0
) -> ReplayOutcome:
    """``request_replay`` until inventory takes it (it may start after this service), backing
    off from ``first_wait`` to ``max_wait`` seconds; runs until accepted or cancelled."""
    wait = first_wait
    while True:
        outcome = await request_replay(runtime, resource_types)
        if outcome.status != "failed":
            return outcome
        await asyncio.sleep(wait)
        wait = min(wait * 2, max_wait)
