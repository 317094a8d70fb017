"""A framework report from a one-shot scan: each control's status from its mapped policies'
findings, with the failing resources, in the violations service's shape
(``FrameworkCompliance``), so the same table, CSV and HTML renderers serve both.

The status rules are the service's (``framework_status``): a scan has no exceptions, so nothing
is exempted; it has no violations either, so ``violation_id`` is null.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from pacbot.assessor.frameworks.schemas import control_out, framework_out
from pacbot.assessor.frameworks.service import coverage
from pacbot.assessor.policies.compiled import CompiledPolicy
from pacbot.common.frameworks import Catalogue, Framework, shipped_catalogue
from pacbot.violations.compliance.framework_schemas import (
    ControlCompliance,
    FailingResource,
    FrameworkCompliance,
)
from pacbot.violations.compliance.framework_status import (
    control_compliance,
    framework_compliance,
)
from pacbot.violations.compliance.schemas import PolicyCompliance
from pacbot.violations.compliance.service import compliance_pct


class UnknownFramework(ValueError):
    """A framework id the catalogue does not hold; the message lists the known ones."""


def find_framework(framework_id: str, catalogue: Catalogue | None = None) -> Framework:
    """The framework ``framework_id`` of the shipped catalogue."""
    catalogue = catalogue or shipped_catalogue()
    for framework in catalogue.frameworks:
        if framework.id == framework_id:
            return framework
    known = ", ".join(sorted(f.id for f in catalogue.frameworks))
    raise UnknownFramework(f"unknown framework {framework_id!r}; known: {known}")


def mapped_policies(framework: Framework, policies: list[CompiledPolicy]) -> list[CompiledPolicy]:
    """The policies that map to at least one control of ``framework``."""
    return [p for p in policies if p.document.frameworks.get(framework.id)]


def _figures(
    policies: list[CompiledPolicy], findings: list[dict[str, Any]]
) -> dict[str, PolicyCompliance]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for finding in findings:
        counts[finding["policy_id"]][finding["status"]] += 1
    figures: dict[str, PolicyCompliance] = {}
    for policy in policies:
        seen = counts.get(policy.id)
        if not seen:
            continue
        evaluated = seen["pass"] + seen["fail"]
        figures[policy.id] = PolicyCompliance(
            policy_id=policy.id,
            name=policy.document.name,
            severity=policy.document.severity,
            category=policy.document.category,
            evaluated=evaluated,
            passing=seen["pass"],
            failing=seen["fail"],
            exempted=0,
            unknown=seen["error"],
            not_applicable=seen["not_applicable"],
            compliance_pct=compliance_pct(seen["pass"], evaluated),
        )
    return figures


def _with_failures(
    control: ControlCompliance,
    failing: dict[str, list[FailingResource]],
    limit: int,
) -> ControlCompliance:
    rows = sorted(
        (row for p in control.policies for row in failing.get(p.policy_id, ())),
        key=lambda r: (r.account_id, r.region, r.asset_id, r.policy_id),
    )
    return control.model_copy(
        update={"failing_resources": rows[:limit], "failing_not_listed": max(len(rows) - limit, 0)}
    )


def scan_report(
    framework: Framework,
    policies: list[CompiledPolicy],
    findings: list[dict[str, Any]],
    *,
    account_id: str,
    regions: list[str],
    names: dict[str, str] | None = None,
    resource_limit: int = 1000,
) -> FrameworkCompliance:
    """The framework's report over a scan's ``findings`` of ``policies`` in one account."""
    covered = coverage(framework, policies)
    figures = _figures(policies, findings)
    names = names or {}
    failing: dict[str, list[FailingResource]] = defaultdict(list)
    for finding in findings:
        if finding["status"] != "fail":
            continue
        failing[finding["policy_id"]].append(
            FailingResource(
                asset_id=finding["resource_id"],
                asset_name=names.get(finding["resource_id"], finding["resource_id"]),
                resource_type=finding["resource_type"],
                account_id=account_id,
                region=finding["region"],
                policy_id=finding["policy_id"],
                violation_id=None,
                reason=finding["reason"],
            )
        )
    controls = [
        _with_failures(
            control_compliance(control_out(covered, row, {}), figures), failing, resource_limit
        )
        for row in covered.controls
    ]
    scope = ",".join([f"account:{account_id}", *(f"region:{r}" for r in sorted(regions))])
    return framework_compliance(
        framework_out(covered),
        controls,
        scope=scope,
        exempted_as_passing=False,
        resource_limit=resource_limit,
    )


def render_table(report: FrameworkCompliance) -> str:
    """Each control with its status, and under a failing one its failing resources."""
    pct = "-" if report.compliance_pct is None else f"{report.compliance_pct:.1f}%"
    lines = [
        f"{report.name} {report.version} ({report.framework_id}), scope {report.scope}",
        f"Controls: {report.controls}: {report.passing} passing, {report.failing} failing, "
        f"{report.manual} manual, {report.not_evaluated} not evaluated; "
        f"{pct} of the decided controls pass",
    ]
    section = None
    for control in report.items:
        if control.section != section:
            section = control.section
            lines.append(f"\n{section}")
        status = control.status.upper().replace("_", " ")
        lines.append(f"  {status:<13} {control.control_id:<8} {control.title}")
        listed = [*control.failing_resources, *control.exceptions]
        for row in listed:
            exempt = f" [exception {row.exception_id}]" if hasattr(row, "exception_id") else ""
            lines.append(f"      {row.policy_id}  {row.asset_id}{exempt}  {row.reason}")
        rest = control.failing_not_listed + control.exceptions_not_listed
        if rest:
            lines.append(f"      … and {rest} more not listed")
    return "\n".join(lines)
