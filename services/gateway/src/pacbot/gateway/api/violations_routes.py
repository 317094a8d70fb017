"""Public routes over the violations service: violations, results, compliance figures, exports."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from pacbot.common.runtime import Runtime
from pacbot.gateway.api.upstream import (
    forward,
    outgoing_query,
    passed_headers,
    segment,
    signed_headers,
    unreachable,
    upstream_failed,
)
from pacbot.gateway.authorize import authorize

router = APIRouter(prefix="/api/v1", tags=["violations"], dependencies=[Depends(authorize)])


async def stream_export(request: Request, path: str) -> Response:
    """Relay an export as it streams, keeping its content type and file name.

    Failures map like every forwarded call: unreachable 503, upstream 5xx 502, 4xx as is. Bytes
    are relayed decoded (any transfer compression undone), so no content-encoding is passed on.
    """
    runtime: Runtime = request.app.state.runtime
    client = runtime.service("violations")
    query: list[tuple[str, str | int | float | bool | None]] = [*outgoing_query(request, None)]
    outgoing = client.build_request(
        "GET",
        path,
        params=query,
        headers=signed_headers(request, "violations"),
    )
    try:
        upstream = await client.send(outgoing, stream=True)
    except httpx.TransportError as exc:
        return unreachable(request, "violations", exc)
    media_type = upstream.headers.get("content-type", "application/octet-stream")
    if upstream.status_code >= 400:
        body = await upstream.aread()
        await upstream.aclose()
        if upstream.status_code >= 500:
            return upstream_failed(request, "violations", upstream.status_code, path)
        return Response(body, status_code=upstream.status_code, media_type=media_type)
    return StreamingResponse(
        upstream.aiter_bytes(),
        status_code=upstream.status_code,
        media_type=media_type,
        headers=passed_headers(upstream),
        background=BackgroundTask(upstream.aclose),
    )


@router.get("/compliance/summary")
async def compliance_summary(request: Request) -> Response:
    """Compliance overall, per category and per policy, in a scope."""
    return await forward(request, "violations", "/compliance/summary")


@router.get("/compliance/breakdown")
async def compliance_breakdown(request: Request) -> Response:
    """Headline compliance figures per account, region, resource type or asset group."""
    return await forward(request, "violations", "/compliance/breakdown")


@router.get("/compliance/trend")
async def compliance_trend(request: Request) -> Response:
    """Daily compliance snapshots of one scope."""
    return await forward(request, "violations", "/compliance/trend")


@router.get("/compliance/mttr")
async def compliance_mttr(request: Request) -> Response:
    """Mean time to remediate by severity."""
    return await forward(request, "violations", "/compliance/mttr")


@router.get("/results")
async def list_results(request: Request) -> Response:
    """Latest results per (asset, policy), e.g. the unknowns (status=error)."""
    return await forward(request, "violations", "/results")


@router.get("/violations")
async def list_violations(request: Request) -> Response:
    """Violations, filtered, sorted and cursor-paged."""
    return await forward(request, "violations", "/violations")


class CsvResponse(Response):
    """Documents the CSV export's media type (the bytes are relayed as the service sends them)."""

    media_type = "text/csv"


@router.get(
    "/violations/export.csv",
    response_class=CsvResponse,
    responses={200: {"description": "The violations as CSV", "content": {"text/csv": {}}}},
)
async def export_violations_csv(request: Request) -> Response:
    """The filtered violations as CSV, streamed (text/csv)."""
    return await stream_export(request, "/violations/export.csv")


@router.get("/violations/export.ocsf")
async def export_violations_ocsf(request: Request) -> Response:
    """The filtered violations as OCSF Compliance Findings, streamed."""
    return await stream_export(request, "/violations/export.ocsf")


@router.get("/violations/{violation_id}")
async def get_violation(violation_id: str, request: Request) -> Response:
    """One violation with its timeline."""
    return await forward(request, "violations", f"/violations/{segment(violation_id)}")
