"""Forwards one public call to the service that owns the data, signed as the caller.

Each forwarded call carries a fresh internal token (the caller's subject, roles, groups and
scope, the target service as audience) and the request id; nothing the caller sent about who
they are goes along. Path parts are always quoted by the route (``segment``, ``asset_path``), so
no request can reach a route other than the one it names.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from urllib.parse import quote

import httpx
from fastapi import Request, Response

from pacbot.common.auth import Principal
from pacbot.common.problems import problem
from pacbot.common.runtime import Runtime
from pacbot.common.web import NotFound
from pacbot.common.webguards import request_id_of
from pacbot.gateway.authorize import narrow_query, narrowed, rule_of, visible

log = logging.getLogger("pacbot.gateway.upstream")

QueryParams = Sequence[tuple[str, str]]
PASSED_HEADERS = ("content-disposition", "retry-after")


def query_of(request: Request) -> list[tuple[str, str]]:
    """The caller's query parameters, repeated keys kept, to pass on unchanged."""
    return request.query_params.multi_items()


def segment(value: str) -> str:
    """``value`` quoted as one path segment (``/``, ``..`` and ``%`` included)."""
    return quote(value, safe="")


def asset_path(asset_id: str) -> str:
    """An asset id (an ARN) as one path segment: ``:`` stays readable, ``/`` is encoded."""
    return quote(asset_id, safe=":")


def failure(status: int, error: str, detail: str, service: str, request: Request) -> Response:
    """A problem answer for a peer that could not answer."""
    return problem(status, error, detail, service=service, request_id=request_id_of(request))


def unreachable(request: Request, service: str, exc: Exception) -> Response:
    """503: the peer could not be reached at all."""
    log.warning("upstream unreachable", extra={"service": service, "error": repr(exc)})
    detail = f"{service} service is unreachable ({type(exc).__name__})"
    return failure(503, "ServiceUnavailable", detail, service, request)


def upstream_failed(request: Request, service: str, status: int, path: str) -> Response:
    """502: the peer answered with a server error (its details stay in its own log)."""
    log.warning("upstream failed", extra={"service": service, "status": status, "path": path})
    return failure(
        502, "UpstreamError", f"{service} service failed with {status}", service, request
    )


def passed_headers(upstream: httpx.Response) -> dict[str, str]:
    """The peer's headers a caller needs too (file name, retry hint)."""
    return {k: upstream.headers[k] for k in PASSED_HEADERS if k in upstream.headers}


def signed_headers(request: Request, service: str) -> dict[str, str]:
    """The internal token for ``service`` on behalf of the caller, and the request id."""
    runtime: Runtime = request.app.state.runtime
    principal: Principal = request.state.principal
    request_id = request_id_of(request) or ""
    token = runtime.tokens.mint(principal, service, request_id=request_id)
    return {"Authorization": f"Bearer {token}", "X-Request-ID": request_id}


def outgoing_query(request: Request, params: QueryParams | None) -> list[tuple[str, str]]:
    """The query to send: the caller's (or ``params``), narrowed to the caller's scope."""
    chosen = list(query_of(request) if params is None else params)
    principal: Principal = request.state.principal
    if narrowed(principal):
        return narrow_query(principal, rule_of(request), chosen)
    return chosen


async def forward(
    request: Request,
    service: str,
    path: str,
    *,
    params: QueryParams | None = None,
    body: bool | None = None,
    extra_headers: dict[str, str] | None = None,
) -> Response:
    """Call ``service`` as the caller; 2xx/4xx pass through, unreachable 503, 5xx 502."""
    runtime: Runtime = request.app.state.runtime
    method = request.method
    headers = signed_headers(request, service)
    headers.update(extra_headers or {})
    content: bytes | None = None
    sends_body = method != "GET" if body is None else body
    if sends_body:
        content = await request.body()
        headers["content-type"] = request.headers.get("content-type", "application/json")
    query = outgoing_query(request, params)
    try:
        # a read the peer's closing connection cut off is sent again by the client's transport
        upstream = await runtime.service(service).request(
            method, path, params=tuple(query), content=content, headers=headers
        )
    except httpx.TransportError as exc:
        return unreachable(request, service, exc)
    if upstream.status_code >= 500:
        return upstream_failed(request, service, upstream.status_code, path)
    content_out = upstream.content
    if upstream.status_code == 200 and narrowed(request.state.principal):
        content_out = _narrowed_answer(request, upstream.content)
    return Response(
        content=content_out,
        status_code=upstream.status_code,
        media_type=upstream.headers.get("content-type", "application/json"),
        headers=passed_headers(upstream),
    )


def _narrowed_answer(request: Request, content: bytes) -> bytes:
    """The answer a narrowed caller may see of ``content`` (``item`` and ``list`` routes)."""
    rule = rule_of(request)
    principal: Principal = request.state.principal
    if rule.narrowing not in ("item", "list"):
        return content
    answer = json.loads(content)
    if rule.narrowing == "item":
        if not visible(principal, answer):
            raise NotFound("not found, or outside what you may see", field="id")
        return content
    items = [item for item in answer.get("items", []) if visible(principal, item)]
    dropped = len(answer.get("items", [])) - len(items)
    answer["items"] = items
    if isinstance(answer.get("total"), int):
        answer["total"] = max(0, answer["total"] - dropped)
    return json.dumps(answer).encode()
