"""What every service does before a route sees a request: request id, body limit, clean bytes.

One pure ASGI middleware (streaming responses pass through untouched):
- ``X-Request-ID`` is accepted when well-formed, else generated, and echoed on the response;
- a body larger than ``max_body_bytes`` is refused with 413 before it is read in full;
- a NUL byte in the path or query is refused with 400 (PostgreSQL cannot store ``0x00``);
- an unhandled error before the answer started becomes a 500 problem *response*, so the server
  keeps the connection open and a pooled client's next call is not the one that fails; one after
  the answer started is raised on, so the server aborts the transfer.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from typing import Any

from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pacbot.common.problems import MEDIA_TYPE, problem_body

log = logging.getLogger("pacbot.web")

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


class BodyTooLarge(Exception):
    """The request body went past the limit while it was being read."""


def request_id_of(request: Request) -> str | None:
    """The id of this request (accepted from the caller or generated)."""
    return getattr(request.state, "request_id", None)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _has_nul(scope: Scope) -> bool:
    query = scope.get("query_string", b"").lower()
    raw_path = scope.get("raw_path") or b""
    return "\x00" in scope["path"] or b"%00" in query or b"%00" in raw_path.lower()


class RequestGuards:
    """Request id, body size limit, NUL bytes and unhandled errors, for one app."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope, b"x-request-id")
        request_id = given if given and _REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", ()))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        async def refuse(status: int, error: str, detail: str) -> None:
            body = json.dumps(problem_body(status, error, detail, request_id=request_id)).encode()
            await send_with_id(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        (b"content-type", MEDIA_TYPE.encode()),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send_with_id({"type": "http.response.body", "body": body})

        if _has_nul(scope):
            await refuse(400, "InvalidCharacters", "the path or query holds a NUL byte (%00)")
            return
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            await refuse(
                413,
                "PayloadTooLarge",
                f"the request body is {int(length)} bytes; the limit is {self.max_body_bytes}",
            )
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send_with_id)
        except BodyTooLarge:
            if not started:
                await refuse(
                    413,
                    "PayloadTooLarge",
                    f"the request body is over the limit of {self.max_body_bytes} bytes",
                )
        except Exception:
            if started:
                # Mid-stream: the answer cannot be mended; the server must drop the connection so
                # the client sees an incomplete transfer, never a short one that looks whole.
                log.exception("failed mid-response; aborting", extra={"path": scope["path"]})
                raise
            await refuse(500, "InternalError", "the service failed to answer; the error is logged")
            log.exception("unhandled error", extra={"path": scope["path"]})


PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `type` is stable per kind of problem.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "error": {"type": "string", "description": "the problem's short name"},
        "field": {"type": "string", "description": "the parameter or field at fault"},
        "request_id": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {"type": "array", "items": {"type": "string"}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
    "additionalProperties": True,
}

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def problem_content() -> dict[str, Any]:
    """The ``content`` of a documented problem response."""
    return {MEDIA_TYPE: {"schema": PROBLEM_REF}}


def document_problems(app: FastAPI, extra: dict[str, str] | None = None) -> None:
    """Make the OpenAPI document say what errors look like: 422 (and ``extra``) as problems."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        spec = build()
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        schemas["Problem"] = PROBLEM_SCHEMA
        for path_item in spec.get("paths", {}).values():
            for operation in path_item.values():
                responses = operation.setdefault("responses", {})
                if "422" in responses:
                    responses["422"] = {
                        "description": "Invalid request",
                        "content": problem_content(),
                    }
                for status, description in (extra or {}).items():
                    responses.setdefault(
                        status, {"description": description, "content": problem_content()}
                    )
        for unused in ("HTTPValidationError", "ValidationError"):
            if f"#/components/schemas/{unused}" not in json.dumps(spec):
                schemas.pop(unused, None)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
