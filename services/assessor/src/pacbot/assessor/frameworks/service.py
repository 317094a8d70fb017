"""Which loaded policies judge which control of a framework."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pacbot.assessor.policies.compiled import CompiledPolicy
from pacbot.common.frameworks import Control, Framework


@dataclass(frozen=True)
class ControlCoverage:
    """A control and the policies that map to it (none: nothing PacBot runs judges it)."""

    control: Control
    policies: tuple[CompiledPolicy, ...]


@dataclass(frozen=True)
class FrameworkCoverage:
    """A framework with the policies of the loaded packs laid over its controls."""

    framework: Framework
    controls: tuple[ControlCoverage, ...]

    @property
    def mapped_controls(self) -> int:
        """Controls at least one loaded policy maps to."""
        return sum(1 for c in self.controls if c.policies)

    @property
    def mapped_automated(self) -> int:
        """Automated controls at least one loaded policy maps to (the coverage figure)."""
        return sum(1 for c in self.controls if c.policies and c.control.automated)

    @property
    def policies(self) -> int:
        """Distinct loaded policies mapping to this framework."""
        return len({p.id for c in self.controls for p in c.policies})


def coverage(framework: Framework, policies: Iterable[CompiledPolicy]) -> FrameworkCoverage:
    """Each control of ``framework`` with the ``policies`` mapping to it, by policy id."""
    by_control: dict[str, list[CompiledPolicy]] = {}
    for policy in sorted(policies, key=lambda p: p.id):
        for control_id in dict.fromkeys(policy.document.frameworks.get(framework.id, ())):
            by_control.setdefault(control_id, []).append(policy)
    return FrameworkCoverage(
        framework,
        tuple(ControlCoverage(c, tuple(by_control.get(c.id, ()))) for c in framework.controls),
    )
