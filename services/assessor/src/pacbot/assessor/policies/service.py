"""The policy catalog: loaded policies joined with their registry state."""

from __future__ import annotations

from dataclasses import dataclass
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
            enabled = row.enabled if row else policy.document.enabled
            overrides = dict(row.param_overrides) if row else {}
            active.append(ActivePolicy(policy, enabled, overrides))
        return active

    async def applicable(self, session: AsyncSession, resource_type: str) -> list[ActivePolicy]:
        """The enabled policies for ``resource_type``."""
        return [
            a
            for a in await self.states(session)
            if a.enabled and a.policy.document.resource == resource_type
        ]
