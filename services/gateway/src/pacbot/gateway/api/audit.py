"""Records every write call through the public API: who-did-what starts with what-was-done."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from pacbot.common.events import utcnow
from pacbot.common.runtime import Runtime
from pacbot.gateway.models import AuditEntry

log = logging.getLogger("pacbot.gateway.audit")

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def install_audit(app: FastAPI, runtime: Runtime) -> None:
    """Add a middleware that writes one audit row per write call under ``/api/``."""

    @app.middleware("http")
    async def audit_writes(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        if request.method in WRITE_METHODS and request.url.path.startswith("/api/"):
            try:
                async with runtime.db.session() as session:
                    session.add(
                        AuditEntry(
                            method=request.method,
                            path=request.url.path,
                            status=response.status_code,
                            at=utcnow(),
                        )
                    )
            except Exception:
                log.exception("audit entry could not be written", extra={"path": request.url.path})
        return response
