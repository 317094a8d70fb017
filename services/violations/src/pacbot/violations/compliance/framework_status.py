"""A framework control's status from its mapped policies' figures, and a framework's totals
(pure functions: the violations service and ``pacbot scan --framework`` share them):

- ``manual``: the framework marks the control manual (a person judges it); its policies'
  figures stay visible;
- ``fail``: a mapped policy has a failing asset in scope;
- ``pass``: none fails, and at least one has a pass or fail result in scope;
- ``not_evaluated``: no mapped policy, or none has a pass or fail result in scope.
"""

from __future__ import annotations

from collections.abc import Sequence

from pacbot.common.frameworks import ControlOut, FrameworkOut, MappedPolicy
from pacbot.violations.compliance.framework_schemas import (
    ControlCompliance,
    ControlPolicy,
    FrameworkCompliance,
    Status,
)
from pacbot.violations.compliance.schemas import PolicyCompliance
from pacbot.violations.compliance.service import compliance_pct


def control_policy(mapped: MappedPolicy, figures: PolicyCompliance | None) -> ControlPolicy:
    """A mapped policy with its figures; a policy without results in scope has none."""
    return ControlPolicy(
        policy_id=mapped.policy_id,
        name=figures.name if figures else mapped.name,
        severity=figures.severity if figures else mapped.severity,
        category=figures.category if figures else mapped.category,
        enabled=mapped.enabled,
        evaluated=figures.evaluated if figures else 0,
        passing=figures.passing if figures else 0,
        failing=figures.failing if figures else 0,
        exempted=figures.exempted if figures else 0,
        unknown=figures.unknown if figures else 0,
        compliance_pct=figures.compliance_pct if figures else None,
    )


def control_status(policies: list[ControlPolicy], manual: bool = False) -> Status:
    """manual if a person must judge it; else fail if any policy fails; pass if none fails and
    one has a decided result; else not evaluated."""
    if manual:
        return "manual"
    if any(p.failing for p in policies):
        return "fail"
    if any(p.evaluated for p in policies):
        return "pass"
    return "not_evaluated"


def control_compliance(
    control: ControlOut, figures: dict[str, PolicyCompliance]
) -> ControlCompliance:
    """One control's status and counts from its policies' figures."""
    policies = [control_policy(p, figures.get(p.policy_id)) for p in control.policies]
    return ControlCompliance(
        control_id=control.control_id,
        title=control.title,
        section=control.section,
        subsection=control.subsection,
        profile=control.profile,
        manual=not control.automated,
        status=control_status(policies, manual=not control.automated),
        evaluated=sum(p.evaluated for p in policies),
        passing=sum(p.passing for p in policies),
        failing=sum(p.failing for p in policies),
        unknown=sum(p.unknown for p in policies),
        policies=policies,
    )


def framework_compliance(
    framework: FrameworkOut,
    controls: list[ControlCompliance],
    *,
    scope: str,
    exempted_as_passing: bool,
    resource_limit: int,
    status: Sequence[Status] = (),
) -> FrameworkCompliance:
    """Totals over every control (``compliance_pct`` over the decided ones, each counting once);
    ``items`` keeps the controls of the asked statuses (none asked: all)."""
    counts = {s: sum(1 for c in controls if c.status == s) for s in ("pass", "fail", "manual")}
    shown = [c for c in controls if not status or c.status in status]
    decided = counts["pass"] + counts["fail"]
    return FrameworkCompliance(
        framework_id=framework.framework_id,
        name=framework.name,
        version=framework.version,
        scope=scope,
        exempted_as_passing=exempted_as_passing,
        resource_limit=resource_limit,
        controls=len(controls),
        passing=counts["pass"],
        failing=counts["fail"],
        manual=counts["manual"],
        not_evaluated=len(controls) - decided - counts["manual"],
        compliance_pct=compliance_pct(counts["pass"], decided),
        items=shown,
        total=len(shown),
    )
