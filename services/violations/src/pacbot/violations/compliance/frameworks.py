"""``GET /compliance/frameworks/{framework_id}``: each control of a framework in a scope, with
the failing resources and exceptions behind it; and the same report as CSV, OCSF Compliance
Findings and a printable HTML page.

Which policies judge which control is the assessor's to say (``framework_mapping``); each
policy's figures are the compliance summary's for the same scope; the status rules are in
``framework_report`` and docs/contracts.md ("Framework compliance").
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response

from pacbot.common.events import utcnow
from pacbot.common.paging import MAX_LIMIT, PageRequest, paging
from pacbot.common.web import AppRuntime, DbSession
from pacbot.violations.compliance.findings import MAX_RESOURCES
from pacbot.violations.compliance.framework_mapping import (
    AssessorUnavailable,
    FrameworkMappings,
    fetch_mapping,
    get_mappings,
)
from pacbot.violations.compliance.framework_report import (
    FrameworkQuery,
    assess_framework,
    framework_report,
    with_resources,
)
from pacbot.violations.compliance.framework_schemas import (
    ControlCompliance,
    ControlPolicy,
    FrameworkCompliance,
    Status,
)
from pacbot.violations.compliance.framework_status import control_status
from pacbot.violations.compliance.router import AskedScope, ConfiguredWeights
from pacbot.violations.reports.framework_csv import framework_csv
from pacbot.violations.reports.framework_html import framework_html
from pacbot.violations.reports.framework_ocsf import framework_findings

__all__ = [
    "AssessorUnavailable",
    "ControlCompliance",
    "ControlPolicy",
    "FrameworkCompliance",
    "FrameworkMappings",
    "control_status",
    "fetch_mapping",
    "router",
]

router = APIRouter(prefix="/compliance", tags=["compliance"])
Controls = Annotated[PageRequest, paging(500, MAX_LIMIT)]  # one page holds a framework
Mappings = Annotated[FrameworkMappings, Depends(get_mappings)]
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such framework (`field: framework_id`) or asset group"},
    503: {"description": "the assessor (mapping) or the inventory (group) cannot answer"},
}


def _asked(resource_default: int) -> object:
    """The query parameters every framework read takes, as a dependency; ``resource_limit``
    defaults to ``resource_default`` (the JSON read lists fewer than the exports)."""

    async def asked(
        scope: AskedScope,
        exempted_as_passing: bool = False,
        status: Annotated[list[Status] | None, Query(description="only controls in these")] = None,
        resource_limit: Annotated[
            int,
            Query(
                ge=0,
                le=MAX_RESOURCES,
                description="failing resources (and exceptions) listed per control",
            ),
        ] = resource_default,
    ) -> FrameworkQuery:
        return FrameworkQuery(
            scope=scope,
            exempted_as_passing=exempted_as_passing,
            status=tuple(dict.fromkeys(status or ())),
            resource_limit=resource_limit,
        )

    return Depends(asked)


Asked = Annotated[FrameworkQuery, _asked(20)]
Exported = Annotated[FrameworkQuery, _asked(1000)]


async def _report(
    framework_id: str,
    session: DbSession,
    runtime: AppRuntime,
    weights: ConfiguredWeights,
    mappings: Mappings,
    query: Exported,
) -> FrameworkCompliance:
    mapping = await mappings.get(runtime, framework_id)
    return await framework_report(session, mapping, weights, query)


Report = Annotated[FrameworkCompliance, Depends(_report)]


def _attachment(report: FrameworkCompliance, suffix: str) -> dict[str, str]:
    name = f"{report.framework_id}-{report.scope}".replace('"', "").replace("\\", "")
    return {"content-disposition": f'attachment; filename="{name}.{suffix}"'}


@router.get("/frameworks/{framework_id}", response_model=FrameworkCompliance, responses=ERRORS)
async def framework_compliance(
    framework_id: str,
    session: DbSession,
    runtime: AppRuntime,
    weights: ConfiguredWeights,
    mappings: Mappings,
    page: Controls,
    query: Asked,
) -> FrameworkCompliance:
    """Each control of a framework: pass, fail, manual or not evaluated in the scope, with its
    policies, failing resources and exceptions."""
    mapping = await mappings.get(runtime, framework_id)
    report = await assess_framework(session, mapping, weights, query)
    window = page.window("violations.framework-compliance", query.fingerprint(framework_id))
    rows, report.next_cursor = window.of(report.items)
    report.items = await with_resources(session, query, rows)
    return report


@router.get(
    "/frameworks/{framework_id}/export.csv",
    response_class=Response,
    responses={**ERRORS, 200: {"content": {"text/csv": {}}}},
)
async def framework_export_csv(report: Report) -> Response:
    """The report as CSV: a row per control and failing resource (or one per control)."""
    return Response(
        framework_csv(report),
        media_type="text/csv; charset=utf-8",
        headers=_attachment(report, "csv"),
    )


@router.get("/frameworks/{framework_id}/export.ocsf", responses=ERRORS)
async def framework_export_ocsf(report: Report) -> JSONResponse:
    """The report as a JSON array of OCSF 1.1 Compliance Findings."""
    return JSONResponse(
        framework_findings(report, utcnow()), headers=_attachment(report, "ocsf.json")
    )


@router.get("/frameworks/{framework_id}/report.html", response_class=HTMLResponse, responses=ERRORS)
async def framework_report_html(report: Report) -> HTMLResponse:
    """The report as one self-contained, printable HTML page."""
    return HTMLResponse(framework_html(report, utcnow()))
