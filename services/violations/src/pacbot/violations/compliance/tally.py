"""What the figures of one scope are computed from: counts per policy, assets and violations."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class PolicyTally:
    """Live results of one policy by status; ``exempted`` counts failures under an exception."""

    policy_id: str
    name: str
    severity: str
    category: str
    passing: int = 0
    failing: int = 0
    exempted: int = 0
    unknown: int = 0
    not_applicable: int = 0

    def count(self, status: str, exempted: bool, n: int = 1) -> None:
        """Add ``n`` results of ``status``."""
        if status == "pass":
            self.passing += n
        elif status == "fail":
            self.failing += n
            self.exempted += n if exempted else 0
        elif status == "error":
            self.unknown += n
        else:
            self.not_applicable += n


@dataclass
class Tally:
    """Everything the figures of one scope are computed from."""

    policies: dict[str, PolicyTally] = field(default_factory=dict)
    evaluated_assets: int = 0
    unknown_assets: int = 0
    violations: Counter[str] = field(default_factory=Counter)
    open_by_severity: Counter[str] = field(default_factory=Counter)

    def policy(self, policy_id: str, name: str, severity: str, category: str) -> PolicyTally:
        """The tally of one policy, created on first sight."""
        if policy_id not in self.policies:
            self.policies[policy_id] = PolicyTally(policy_id, name, severity, category)
        return self.policies[policy_id]

    def count_violations(self, status: str, severity: str, n: int = 1) -> None:
        """Add ``n`` violations of ``status`` and ``severity``."""
        self.violations[status] += n
        if status == "open":
            self.open_by_severity[severity] += n


def tally_of(tallies: dict[str, Tally], key: str) -> Tally:
    """The key's tally in ``tallies``, created on first sight (a read adds rows by the
    thousand: a Tally, with its two Counters, is not built per row to be thrown away)."""
    found = tallies.get(key)
    if found is None:
        found = tallies[key] = Tally()
    return found
