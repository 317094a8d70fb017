"""RFC 9457 problem details: every error of every service has this one shape.

``type`` is a stable URI per kind of problem (``https://pacbot.dev/problems/<slug>``), ``title``
its fixed summary, ``detail`` what went wrong this time; ``error`` (the problem's class name),
``field`` and ``errors`` are extension members callers may rely on too.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi.responses import JSONResponse

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://pacbot.dev/problems/"

TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid request",
    429: "Too many requests",
    500: "Internal error",
    502: "Upstream error",
    503: "Service unavailable",
    504: "Upstream timeout",
}


def slug(name: str) -> str:
    """``ValidationError`` → ``validation-error``: the stable tail of a problem type."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def problem_body(
    status: int, error: str, detail: str, *, instance: str | None = None, **extra: Any
) -> dict[str, Any]:
    """The problem document for ``status``, named ``error`` (e.g. ``NotFound``)."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + slug(error),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "error": error,
    }
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def problem(
    status: int,
    error: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    instance: str | None = None,
    **extra: Any,
) -> JSONResponse:
    """A ``application/problem+json`` response."""
    return JSONResponse(
        problem_body(status, error, detail, instance=instance, **extra),
        status_code=status,
        media_type=MEDIA_TYPE,
        headers=headers,
    )
