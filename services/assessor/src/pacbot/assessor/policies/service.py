"""The policy catalog: loaded policies joined with their registry state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.assessor.policies.compiled import CompiledPolicy
from pacbot.assessor.policies.loader import LoadReport, PolicyError
from pacbot.assessor.policies.repository import policy_states


@dataclass(frozen=True)
class ActivePolicy:
    """A policy as it applies right now: enabled state and effective parameter overrides."""

    policy: CompiledPolicy
    enabled: bool
    overrides: dict[str, Any]
    revision: int = 0
    updated_at: datetime | None = None

    @property
    def params(self) -> dict[str, Any]:
        """The effective value of every declared parameter (overrides over YAML defaults)."""
        return {**self.policy.document.param_defaults(), **self.overrides}


@dataclass(frozen=True)
class PolicyFilter:
    """``GET /policies`` filters; each one given must match (``q``: every word, any text)."""

    resource: str | None = None
    severity: str | None = None
    category: str | None = None
    framework: str | None = None
    enabled: bool | None = None
    q: str | None = None
    words: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "words", tuple((self.q or "").lower().split()))

    def matches(self, active: ActivePolicy) -> bool:
        """Whether ``active`` passes every given filter."""
        doc = active.policy.document
        if self.resource is not None and doc.resource != self.resource:
            return False
        if self.severity is not None and doc.severity != self.severity:
            return False
        if self.category is not None and doc.category != self.category:
            return False
        if self.enabled is not None and active.enabled != self.enabled:
            return False
        if self.framework is not None and not _has_framework(doc.frameworks, self.framework):
            return False
        if self.words:
            text = " ".join([doc.id, doc.name, doc.description, doc.resource]).lower()
            return all(word in text for word in self.words)
        return True


def _has_framework(frameworks: dict[str, list[str]], wanted: str) -> bool:
    """``cis-aws-3.0`` matches the framework; ``cis-aws-3.0:2.1.4`` one of its controls."""
    name, _, control = wanted.partition(":")
    controls = frameworks.get(name.strip())
    if controls is None:
        return False
    return not control.strip() or control.strip() in controls


class PolicyCatalog:
    """Read-only view of the loaded packs; enabled state comes from the registry table."""

    def __init__(self, report: LoadReport, grace_override: float | None = None) -> None:
        self.policies = sorted(report.policies, key=lambda p: p.id)
        self.errors: list[PolicyError] = list(report.errors)
        self.grace_override = grace_override
        self._by_id = {p.id: p for p in self.policies}

    def get(self, policy_id: str) -> CompiledPolicy | None:
        """The loaded policy with this id, if any."""
        return self._by_id.get(policy_id)

    async def states(self, session: AsyncSession) -> list[ActivePolicy]:
        """Every loaded policy with its registry state (YAML defaults where no row exists)."""
        rows = await policy_states(session)
        active = []
        for policy in self.policies:
            row = rows.get(policy.id)
            if row is None:
                active.append(ActivePolicy(policy, policy.document.enabled, {}))
                continue
            declared = policy.document.params
            # an override of a param the YAML no longer declares is ignored, never evaluated
            overrides = {k: v for k, v in dict(row.param_overrides).items() if k in declared}
            active.append(
                ActivePolicy(policy, row.enabled, overrides, row.revision or 0, row.updated_at)
            )
        return active

    async def state(self, session: AsyncSession, policy_id: str) -> ActivePolicy | None:
        """One loaded policy with its registry state."""
        for active in await self.states(session):
            if active.policy.id == policy_id:
                return active
        return None

    async def applicable(self, session: AsyncSession, resource_type: str) -> list[ActivePolicy]:
        """The enabled policies for ``resource_type``."""
        return [
            a
            for a in await self.states(session)
            if a.enabled and a.policy.document.resource == resource_type
        ]
