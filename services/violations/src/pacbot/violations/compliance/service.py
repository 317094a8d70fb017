"""Compliance math: per-policy percentages and a severity-weighted overall figure."""

from __future__ import annotations

from pacbot.violations.compliance.repository import PolicyCounts

SEVERITY_WEIGHTS = {"critical": 10, "high": 5, "medium": 3, "low": 1}


def compliance_pct(passing: int, evaluated: int) -> float | None:
    """Share of evaluated assets that pass, in percent; None when nothing was evaluated."""
    if evaluated <= 0:
        return None
    return round(passing / evaluated * 100, 2)


def overall_pct(policies: list[PolicyCounts]) -> float | None:
    """Severity-weighted mean of per-policy percentages, over policies with evaluations."""
    weighted = 0.0
    weights = 0
    for counts in policies:
        evaluated = counts.passing + counts.failing
        if evaluated == 0:
            continue
        weight = SEVERITY_WEIGHTS.get(counts.severity, 1)
        weighted += weight * counts.passing / evaluated * 100
        weights += weight
    return round(weighted / weights, 2) if weights else None
