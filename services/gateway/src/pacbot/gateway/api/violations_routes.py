"""Public routes over the violations service: violations, results, compliance figures, exports."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.background import BackgroundTask

from pacbot.common.runtime import Runtime
from pacbot.common.web import AppRuntime
from pacbot.gateway.api.upstream import QueryParams, forward, query_of, segment

log = logging.getLogger("pacbot.gateway.exports")
router = APIRouter(prefix="/api/v1", tags=["violations"])
PASSED_HEADERS = ("content-disposition",)


async def stream_export(runtime: Runtime, path: str, params: QueryParams) -> Response:
    """Relay an export as it streams, keeping its content type and file name.

    Failures map like every forwarded call: unreachable 503, upstream 5xx 502, 4xx as is.
    Bytes are relayed decoded (any transfer compression undone), so no content-encoding is
    passed on.
    """
    client = runtime.service("violations")
    try:
        upstream = await client.send(
            client.build_request("GET", path, params=list(params)), stream=True
        )
    except httpx.TransportError as exc:
        log.warning("violations unreachable", extra={"error": repr(exc)})
        detail = f"violations service is unreachable ({type(exc).__name__})"
        return JSONResponse(
            {"error": "ServiceUnavailable", "detail": detail, "service": "violations"}, 503
        )
    media_type = upstream.headers.get("content-type", "application/octet-stream")
    if upstream.status_code >= 400:
        body = await upstream.aread()
        await upstream.aclose()
        if upstream.status_code >= 500:
            detail = f"violations service failed with {upstream.status_code}"
            return JSONResponse(
                {"error": "UpstreamError", "detail": detail, "service": "violations"}, 502
            )
        return Response(body, status_code=upstream.status_code, media_type=media_type)
    headers = {k: upstream.headers[k] for k in PASSED_HEADERS if k in upstream.headers}
    return StreamingResponse(
        upstream.aiter_bytes(),
        status_code=upstream.status_code,
        media_type=media_type,
        headers=headers,
        background=BackgroundTask(upstream.aclose),
    )


# Reads forwarded as they are, query (repeated keys included) and all: public path → summary.
READS = {
    "/compliance/summary": "Compliance overall, per category and per policy, in a scope.",
    "/compliance/trend": "Daily compliance snapshots of one scope.",
    "/compliance/mttr": "Mean time to remediate by severity.",
    "/results": "Latest results per (asset, policy), e.g. the unknowns (status=error).",
    "/violations": "Violations, filtered, sorted and cursor-paged.",
}


def _reader(path: str, summary: str) -> Callable[[Request, Runtime], Awaitable[Response]]:
    async def read(request: Request, runtime: AppRuntime) -> Response:
        return await forward(
            runtime, "violations", "GET", path, params=query_of(request), request=request
        )

    read.__doc__ = summary
    return read


for _path, _summary in READS.items():
    router.add_api_route(
        _path,
        _reader(_path, _summary),
        methods=["GET"],
        name="read " + _path,
        summary=_summary,
    )


@router.get("/violations/export.csv")
async def export_violations_csv(request: Request, runtime: AppRuntime) -> Response:
    """The filtered violations as CSV, streamed (text/csv)."""
    return await stream_export(runtime, "/violations/export.csv", query_of(request))


@router.get("/violations/export.ocsf")
async def export_violations_ocsf(request: Request, runtime: AppRuntime) -> Response:
    """The filtered violations as OCSF Compliance Findings, streamed."""
    return await stream_export(runtime, "/violations/export.ocsf", query_of(request))


@router.get("/violations/{violation_id}")
async def get_violation(violation_id: str, request: Request, runtime: AppRuntime) -> Response:
    """One violation with its timeline."""
    return await forward(
        runtime, "violations", "GET", f"/violations/{segment(violation_id)}", request=request
    )
