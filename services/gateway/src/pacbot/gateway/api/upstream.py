"""Forwards one public call to the service that owns the data, mapping failures to clear codes."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from urllib.parse import quote

import httpx
from fastapi import Request, Response
from fastapi.responses import JSONResponse

from pacbot.common.identity import identity_headers
from pacbot.common.runtime import Runtime

log = logging.getLogger("pacbot.gateway.upstream")

QueryParams = Sequence[tuple[str, str]]


def query_of(request: Request) -> list[tuple[str, str]]:
    """The caller's query parameters, repeated keys kept, to pass on unchanged."""
    return request.query_params.multi_items()


def segment(value: str) -> str:
    """``value`` quoted as one path segment."""
    return quote(value, safe="")


def _failure(status: int, error: str, detail: str, service: str) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail, "service": service}, status_code=status)


async def forward(
    runtime: Runtime,
    service: str,
    method: str,
    path: str,
    *,
    params: QueryParams = (),
    request: Request | None = None,
) -> Response:
    """Call ``service``; 2xx and 4xx pass through, unreachable is 503, an upstream 5xx is 502.

    The caller's identity headers (``X-PacBot-User``, ``X-PacBot-Roles``) go along unchanged.
    """
    content: bytes | None = None
    headers: dict[str, str] = {}
    if request is not None:
        headers.update(identity_headers(request.headers))
    if request is not None and method != "GET":
        content = await request.body()
        headers["content-type"] = request.headers.get("content-type", "application/json")
    try:
        upstream = await runtime.service(service).request(
            method, path, params=list(params), content=content, headers=headers
        )
    except httpx.TransportError as exc:
        log.warning("upstream unreachable", extra={"service": service, "error": repr(exc)})
        return _failure(
            503,
            "ServiceUnavailable",
            f"{service} service is unreachable ({type(exc).__name__})",
            service,
        )
    if upstream.status_code >= 500:
        log.warning(
            "upstream failed",
            extra={"service": service, "status": upstream.status_code, "path": path},
        )
        return _failure(
            502, "UpstreamError", f"{service} service failed with {upstream.status_code}", service
        )
    return Response(
        content=upstream.content,
        status_code=upstream.status_code,
        media_type=upstream.headers.get("content-type", "application/json"),
    )
