"""A framework report as OCSF 1.1 Compliance Findings (class_uid 2003): one finding per control
(requirement) in the report, consistent with the violations export (``reports.ocsf``).

Mapping:
- ``compliance``: ``standards`` = [framework id], ``requirements`` = [control id], ``control`` =
  the control's title; ``status_id`` pass 1 Pass, fail 3 Fail, manual 99 Other ("Manual": a
  person judges it), not evaluated 0 Unknown;
- finding ``status_id``: fail 1 New (3 Suppressed when every failure is under an exception),
  pass 4 Resolved, manual and not evaluated 0 Unknown;
- ``severity_id``: the highest severity among the control's failing policies, else 1
  Informational;
- ``resources``: the listed failing resources, then those under an exception (each with its
  account, policy, violation and exception in ``data``); ``unmapped`` carries the control's
  counts and how many resources were not listed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pacbot.violations.compliance.framework_schemas import (
    ControlCompliance,
    ExemptedResource,
    FailingResource,
    FrameworkCompliance,
)
from pacbot.violations.reports.ocsf import (
    ACTIVITY_NAMES,
    CATEGORY_UID,
    CLASS_UID,
    COMPLIANCE_STATUS,
    FINDING_STATUS,
    OCSF_VERSION,
    SEVERITY_IDS,
    SEVERITY_NAMES,
)

COMPLIANCE_IDS = {"pass": 1, "fail": 3, "manual": 99, "not_evaluated": 0}
COMPLIANCE_NAMES = {"manual": "Manual"}
"""The status name where OCSF's caption (99 Other) says less than ours."""
STATUS_DETAIL = {
    "pass": "every mapped check passes in scope",
    "fail": "a mapped check fails in scope",
    "manual": "Manual: the framework asks a person to judge this control",
    "not_evaluated": "no mapped check has a pass or fail result in scope",
}
CREATE = 1


def _finding_status(control: ControlCompliance) -> int:
    if control.status == "fail":
        open_failures = control.failing_resources or control.failing_not_listed
        return 1 if open_failures else 3
    return 4 if control.status == "pass" else 0


def _severity(control: ControlCompliance) -> int:
    failing = [SEVERITY_IDS.get(p.severity, 0) for p in control.policies if p.failing]
    return max(failing) if failing and control.status == "fail" else 1


def _resource(resource: FailingResource | ExemptedResource) -> dict[str, Any]:
    data: dict[str, Any] = {
        "account_id": resource.account_id,
        "policy_id": resource.policy_id,
        "violation_id": resource.violation_id,
        "reason": resource.reason,
    }
    if isinstance(resource, ExemptedResource):
        data["exception_id"] = resource.exception_id
        data["exception_kind"] = resource.exception_kind
        data["exception_expires_at"] = (
            resource.expires_at.isoformat() if resource.expires_at else None
        )
    return {
        "uid": resource.asset_id,
        "name": resource.asset_name,
        "type": resource.resource_type,
        "region": resource.region,
        "cloud_partition": "aws",
        "data": data,
    }


def control_finding(
    report: FrameworkCompliance, control: ControlCompliance, now: datetime
) -> dict[str, Any]:
    """One control of the report as an OCSF Compliance Finding."""
    severity = _severity(control)
    finding_status = _finding_status(control)
    compliance_status = COMPLIANCE_IDS[control.status]
    uid = f"{report.framework_id}:{control.control_id}:{report.scope}"
    moment = int(now.timestamp() * 1000)
    return {
        "class_uid": CLASS_UID,
        "class_name": "Compliance Finding",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "activity_id": CREATE,
        "activity_name": ACTIVITY_NAMES[CREATE],
        "type_uid": CLASS_UID * 100 + CREATE,
        "type_name": f"Compliance Finding: {ACTIVITY_NAMES[CREATE]}",
        "severity_id": severity,
        "severity": SEVERITY_NAMES[severity],
        "status_id": finding_status,
        "status": FINDING_STATUS[finding_status],
        "time": moment,
        "message": f"{control.control_id} {control.title}: {STATUS_DETAIL[control.status]}",
        "metadata": {
            "version": OCSF_VERSION,
            "product": {"name": "PacBot", "vendor_name": "PacBot"},
            "profiles": ["cloud"],
            "uid": uid,
        },
        "cloud": {"provider": "AWS"},
        "finding_info": {
            "uid": uid,
            "title": f"{control.control_id} {control.title}",
            "desc": STATUS_DETAIL[control.status],
            "types": [control.section],
            "created_time": moment,
        },
        "compliance": {
            "standards": [report.framework_id],
            "requirements": [control.control_id],
            "control": control.title,
            "status_id": compliance_status,
            "status": "Manual"
            if control.status == "manual"
            else COMPLIANCE_STATUS[compliance_status],
            "status_detail": STATUS_DETAIL[control.status],
        },
        "resources": [_resource(r) for r in [*control.failing_resources, *control.exceptions]],
        "unmapped": {
            "pacbot_status": control.status,
            "scope": report.scope,
            "policies": [p.policy_id for p in control.policies],
            "evaluated": control.evaluated,
            "passing": control.passing,
            "failing": control.failing,
            "unknown": control.unknown,
            "failing_not_listed": control.failing_not_listed,
            "exceptions_not_listed": control.exceptions_not_listed,
        },
    }


def framework_findings(report: FrameworkCompliance, now: datetime) -> list[dict[str, Any]]:
    """Every control of the report as a finding, in the framework's order."""
    return [control_finding(report, control, now) for control in report.items]
