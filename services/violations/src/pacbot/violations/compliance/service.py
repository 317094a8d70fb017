"""Compliance math (docs/contracts.md, "Compliance figures").

- policy: ``passing / (passing + failing) * 100`` over live assets; null when nothing passed
  or failed. With ``exempted_as_passing`` an exempted failure counts as passing.
- category: the mean of its policies' figures weighted by severity (policies without a figure
  are left out); null when none has one.
- overall: the mean of the category figures weighted by category; categories without a figure
  or with weight 0 are left out; null when nothing is left.
Percentages are plain floats (never rounded or floored) and nothing divides by zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pacbot.violations.compliance.schemas import (
    SEVERITIES,
    CategoryCompliance,
    ComplianceSummary,
    PolicyCompliance,
    Weights,
)
from pacbot.violations.compliance.tally import PolicyTally, Tally


def compliance_pct(passing: int, evaluated: int) -> float | None:
    """Share of evaluated assets that pass, in percent; None when nothing was evaluated."""
    if evaluated <= 0:
        return None
    return passing / evaluated * 100


def weighted_mean(pairs: Iterable[tuple[float, float | None]]) -> float | None:
    """Mean of the present values weighted by their (non-zero) weights; None when none."""
    total = 0.0
    weights = 0.0
    for weight, value in pairs:
        if value is None or weight <= 0:
            continue
        total += weight * value
        weights += weight
    return total / weights if weights > 0 else None


def policy_figures(tally: PolicyTally, exempted_as_passing: bool) -> PolicyCompliance:
    """One policy's counts and percentage."""
    moved = tally.exempted if exempted_as_passing else 0
    passing, failing = tally.passing + moved, tally.failing - moved
    return PolicyCompliance(
        policy_id=tally.policy_id,
        name=tally.name,
        severity=tally.severity,
        category=tally.category,
        evaluated=passing + failing,
        passing=passing,
        failing=failing,
        exempted=tally.exempted,
        unknown=tally.unknown,
        not_applicable=tally.not_applicable,
        compliance_pct=compliance_pct(passing, passing + failing),
    )


def category_figures(
    policies: list[PolicyCompliance], severity_weights: Mapping[str, float], weight: float
) -> CategoryCompliance:
    """A category's totals and its severity-weighted figure."""
    return CategoryCompliance(
        category=policies[0].category,
        weight=weight,
        policies=len(policies),
        evaluated=sum(p.evaluated for p in policies),
        passing=sum(p.passing for p in policies),
        failing=sum(p.failing for p in policies),
        compliance_pct=weighted_mean(
            (severity_weights.get(p.severity, 0.0), p.compliance_pct) for p in policies
        ),
    )


def open_by_severity(tally: Tally) -> dict[str, int]:
    """Open violations by severity, every severity named (0 when none)."""
    counts = {severity: 0 for severity in SEVERITIES}
    counts.update(tally.open_by_severity)
    return counts


@dataclass(frozen=True)
class Headline:
    """A scope's overall figure and its results summed over policies."""

    overall_pct: float | None
    passing: int
    failing: int


def headline(tally: Tally, weights: Weights, *, exempted_as_passing: bool) -> Headline:
    """:func:`summarise`'s overall figure and totals, without a model per policy (breakdowns
    compute one per key). Policies and categories are taken in the summary's order, so the
    floats are the same."""
    pairs: dict[str, list[tuple[float, float | None]]] = {}
    passing_total = failing_total = 0
    for key in sorted(tally.policies):
        t = tally.policies[key]
        moved = t.exempted if exempted_as_passing else 0
        passing, failing = t.passing + moved, t.failing - moved
        passing_total += passing
        failing_total += failing
        pct = compliance_pct(passing, passing + failing)
        pairs.setdefault(t.category, []).append((weights.severity.get(t.severity, 0.0), pct))
    overall = weighted_mean(
        (weights.category.get(name, 0.0), weighted_mean(members))
        for name, members in sorted(pairs.items())
    )
    return Headline(overall, passing_total, failing_total)


def summarise(
    tally: Tally, weights: Weights, *, scope: str, exempted_as_passing: bool
) -> ComplianceSummary:
    """The summary of one scope from its tally."""
    policies = [
        policy_figures(tally.policies[key], exempted_as_passing) for key in sorted(tally.policies)
    ]
    by_category: dict[str, list[PolicyCompliance]] = {}
    for policy in policies:
        by_category.setdefault(policy.category, []).append(policy)
    categories = [
        category_figures(members, weights.severity, weights.category.get(name, 0.0))
        for name, members in sorted(by_category.items())
    ]
    return ComplianceSummary(
        scope=scope,
        overall_pct=weighted_mean((c.weight, c.compliance_pct) for c in categories),
        evaluated_assets=tally.evaluated_assets,
        unknown=sum(p.unknown for p in policies),
        unknown_assets=tally.unknown_assets,
        open=tally.violations.get("open", 0),
        exempted=tally.violations.get("exempted", 0),
        closed=tally.violations.get("closed", 0),
        open_by_severity=open_by_severity(tally),
        exempted_as_passing=exempted_as_passing,
        weights=weights,
        categories=categories,
        policies=policies,
    )
