"""Violations as OCSF 1.1 Compliance Finding events (class_uid 2003, category Findings).

Mapping (checked against the OCSF schema: base_event, finding, compliance_finding, compliance,
finding_info, resource_details):
- ``activity_id``: 1 Create (a first episode never changed since), 3 Close (closed), else
  2 Update; ``type_uid`` = class_uid * 100 + activity_id.
- ``status_id`` (finding lifecycle): open → 1 New, exempted → 3 Suppressed, closed as fixed →
  4 Resolved, closed otherwise (asset deleted, policy disabled or removed) → 5 Archived.
- ``severity_id``: low 2, medium 3, high 4, critical 5.
- ``compliance``: ``status_id`` 3 Fail while open or exempted, 1 Pass once fixed, 0 Unknown
  for other closures; ``standards`` / ``requirements`` from the policy's frameworks when the
  stored policy reference carries them, else ``["pacbot"]`` / ``[policy_id]``.
- times are epoch milliseconds; ``time`` is the last change of the violation.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, AsyncIterator
from datetime import datetime
from typing import Any

from pacbot.violations.lifecycle.repository import ViolationRecord
from pacbot.violations.models import as_utc

OCSF_VERSION = "1.1.0"
CLASS_UID = 2003
CATEGORY_UID = 2
SEVERITY_IDS = {"low": 2, "medium": 3, "high": 4, "critical": 5}
SEVERITY_NAMES = {0: "Unknown", 1: "Informational", 2: "Low", 3: "Medium", 4: "High", 5: "Critical"}
ACTIVITY_NAMES = {1: "Create", 2: "Update", 3: "Close"}
FINDING_STATUS = {0: "Unknown", 1: "New", 3: "Suppressed", 4: "Resolved", 5: "Archived"}
COMPLIANCE_STATUS = {0: "Unknown", 1: "Pass", 2: "Warning", 3: "Fail", 99: "Other"}


def _ms(moment: datetime | None) -> int | None:
    return int(as_utc(moment).timestamp() * 1000) if moment else None


def frameworks(row: ViolationRecord) -> tuple[list[str], list[str]]:
    """(standards, requirements) of the violation's policy.

    ``frameworks`` on the stored policy is either ``{framework: control | [controls]}`` or a
    list of ``"framework: control"`` strings.
    """
    declared = (row.policy or {}).get("frameworks")
    pairs: list[tuple[str, str]] = []
    if isinstance(declared, dict):
        for name, controls in declared.items():
            for control in controls if isinstance(controls, list) else [controls]:
                pairs.append((str(name), str(control)))
    elif isinstance(declared, list):
        for entry in declared:
            name, _, control = str(entry).partition(":")
            pairs.append((name.strip(), control.strip()))
    if not pairs:
        return ["pacbot"], [row.policy_id]
    standards = sorted({name for name, _ in pairs})
    requirements = [f"{name}: {control}" if control else name for name, control in pairs]
    return standards, requirements


def _activity(row: ViolationRecord) -> int:
    if row.status == "closed":
        return 3
    return 1 if row.episode == 1 and len(row.timeline or []) <= 1 else 2


def _statuses(row: ViolationRecord) -> tuple[int, int]:
    """(finding status_id, compliance status_id)."""
    if row.status == "open":
        return 1, 3
    if row.status == "exempted":
        return 3, 3
    if row.close_reason == "fixed":
        return 4, 1
    return 5, 0


def _resource(row: ViolationRecord) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "uid": row.asset_id,
        "name": row.asset_name,
        "type": row.resource_type,
        "region": row.region,
        "cloud_partition": "aws",
        "labels": [f"{k}={v}" for k, v in sorted((row.tags or {}).items())],
    }
    if row.owner:
        resource["owner"] = {"email_addr": row.owner} if "@" in row.owner else {"name": row.owner}
    return resource


def compliance_finding(row: ViolationRecord) -> dict[str, Any]:
    """One violation as an OCSF Compliance Finding."""
    activity = _activity(row)
    finding_status, compliance_status = _statuses(row)
    severity = SEVERITY_IDS.get(row.severity, 0)
    standards, requirements = frameworks(row)
    return {
        "class_uid": CLASS_UID,
        "class_name": "Compliance Finding",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "activity_id": activity,
        "activity_name": ACTIVITY_NAMES[activity],
        "type_uid": CLASS_UID * 100 + activity,
        "type_name": f"Compliance Finding: {ACTIVITY_NAMES[activity]}",
        "severity_id": severity,
        "severity": SEVERITY_NAMES[severity],
        "status_id": finding_status,
        "status": FINDING_STATUS[finding_status],
        "time": _ms(row.updated_at),
        "start_time": _ms(row.opened_at),
        "end_time": _ms(row.closed_at),
        "message": row.reason,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {"name": "PacBot", "vendor_name": "PacBot"},
            "profiles": ["cloud"],
            "uid": f"{row.violation_id}:{row.episode}",
        },
        "cloud": {"provider": "AWS", "region": row.region, "account": {"uid": row.account_id}},
        "finding_info": {
            "uid": row.violation_id,
            "title": row.policy_name,
            "desc": row.reason,
            "types": [row.category],
            "created_time": _ms(row.opened_at),
            "first_seen_time": _ms(row.opened_at),
            "modified_time": _ms(row.updated_at),
            "last_seen_time": _ms(row.updated_at),
        },
        "compliance": {
            "standards": standards,
            "requirements": requirements,
            "control": row.policy_id,
            "status_id": compliance_status,
            "status": COMPLIANCE_STATUS[compliance_status],
            "status_detail": row.reason,
        },
        "resources": [_resource(row)],
        "unmapped": {
            "pacbot_status": row.status,
            "close_reason": row.close_reason,
            "exception_id": row.exception_id,
            "episode": row.episode,
        },
    }


async def ocsf_array(batches: AsyncIterable[list[ViolationRecord]]) -> AsyncIterator[str]:
    """A JSON array of findings, streamed one batch of rows at a time."""
    separator = "["
    async for batch in batches:
        findings = [json.dumps(compliance_finding(row), separators=(",", ":")) for row in batch]
        yield separator + ",".join(findings)
        separator = ","
    yield "]" if separator == "," else "[]"
