"""A framework report as CSV (RFC 4180): a row per control and failing resource (open or under
an exception), or one row for a control with none listed (passing, manual, not evaluated).

``not_listed`` says how many more resources of that kind the control has beyond the request's
``resource_limit``. Cells are made inert for spreadsheets as in the violations export.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from pacbot.violations.compliance.framework_schemas import (
    ControlCompliance,
    ExemptedResource,
    FailingResource,
    FrameworkCompliance,
)
from pacbot.violations.reports.csv_export import cell

CONTROL_COLUMNS = (
    "framework_id",
    "control_id",
    "title",
    "section",
    "subsection",
    "profile",
    "manual",
    "status",
    "evaluated",
    "passing",
    "failing",
    "unknown",
)
RESOURCE_COLUMNS = (
    "finding",
    "policy_id",
    "asset_id",
    "asset_name",
    "resource_type",
    "account_id",
    "region",
    "violation_id",
    "reason",
    "exception_id",
    "exception_kind",
    "exception_expires_at",
    "not_listed",
)
COLUMNS = CONTROL_COLUMNS + RESOURCE_COLUMNS


def _resource(
    kind: str, resource: FailingResource | ExemptedResource | None, not_listed: int
) -> dict[str, Any]:
    found: dict[str, Any] = resource.model_dump() if resource else {}
    found["exception_expires_at"] = found.pop("expires_at", None)
    return {**found, "finding": kind, "not_listed": not_listed}


def control_rows(framework_id: str, control: ControlCompliance) -> list[list[str]]:
    """The control's rows, in :data:`COLUMNS` order."""
    own = {
        **control.model_dump(),
        "framework_id": framework_id,
        "manual": "true" if control.manual else "false",
    }
    resources = [
        _resource("failing", r, control.failing_not_listed) for r in control.failing_resources
    ]
    resources += [
        _resource("exempted", r, control.exceptions_not_listed) for r in control.exceptions
    ]
    if not resources:
        rest = control.failing_not_listed + control.exceptions_not_listed
        resources = [_resource("", None, rest)]
    return [[cell({**own, **found}.get(name)) for name in COLUMNS] for found in resources]


def framework_csv(report: FrameworkCompliance) -> str:
    """The header, then every control's rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for control in report.items:
        writer.writerows(control_rows(report.framework_id, control))
    return buffer.getvalue()
