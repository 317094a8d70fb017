"""Public routes over the frameworks: the catalogue (assessor), compliance by control and its
report as CSV, OCSF and printable HTML (violations)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from pacbot.gateway.api.upstream import forward, segment
from pacbot.gateway.api.violations_routes import CsvResponse, stream_export
from pacbot.gateway.authorize import authorize

router = APIRouter(prefix="/api/v1", tags=["frameworks"], dependencies=[Depends(authorize)])


class HtmlResponse(Response):
    """Documents the HTML report's media type (relayed as the service sends it)."""

    media_type = "text/html"


@router.get("/frameworks")
async def list_frameworks(request: Request) -> Response:
    """Known frameworks with their size and how many controls the loaded policies judge."""
    return await forward(request, "assessor", "/frameworks")


@router.get("/frameworks/{framework_id}")
async def get_framework(framework_id: str, request: Request) -> Response:
    """A framework's controls in order, each with the policies mapped to it."""
    return await forward(request, "assessor", f"/frameworks/{segment(framework_id)}")


@router.get("/compliance/frameworks/{framework_id}")
async def framework_compliance(framework_id: str, request: Request) -> Response:
    """Each control of a framework: pass, fail, manual or not evaluated in a scope, with its
    policies, failing resources and exceptions."""
    return await forward(request, "violations", f"/compliance/frameworks/{segment(framework_id)}")


@router.get(
    "/compliance/frameworks/{framework_id}/export.csv",
    response_class=CsvResponse,
    responses={200: {"description": "The framework report as CSV", "content": {"text/csv": {}}}},
)
async def framework_export_csv(framework_id: str, request: Request) -> Response:
    """The framework report as CSV: a row per control and failing resource (text/csv)."""
    path = f"/compliance/frameworks/{segment(framework_id)}/export.csv"
    return await stream_export(request, path)


@router.get("/compliance/frameworks/{framework_id}/export.ocsf")
async def framework_export_ocsf(framework_id: str, request: Request) -> Response:
    """The framework report as OCSF 1.1 Compliance Findings, one per control."""
    path = f"/compliance/frameworks/{segment(framework_id)}/export.ocsf"
    return await stream_export(request, path)


@router.get(
    "/compliance/frameworks/{framework_id}/report.html",
    response_class=HtmlResponse,
    responses={
        200: {"description": "The framework report, printable", "content": {"text/html": {}}}
    },
)
async def framework_report_html(framework_id: str, request: Request) -> Response:
    """The framework report as one self-contained, printable HTML page (text/html)."""
    path = f"/compliance/frameworks/{segment(framework_id)}/report.html"
    return await stream_export(request, path)
