"""The audit trail: every mutating call and every refused one, with who, what, on what, outcome.

A middleware writes one row after the answer is known: the authenticated actor, their roles, the
credential used (``key:<id>``, ``session:<id>``, ``oidc:<jti>``), the route template, the target
ids (path parameters, plus the ids a creating call answered with), the outcome and the request id.
``GET /api/v1/audit`` reads it back with filters and cursor paging.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from pydantic import BaseModel
from sqlalchemy import select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pacbot.common.auth import Principal
from pacbot.common.events import utcnow
from pacbot.common.paging import (
    MAX_CURSOR,
    InvalidCursor,
    decode_cursor,
    encode_cursor,
    fingerprint,
)
from pacbot.common.runtime import Runtime
from pacbot.common.web import DbSession
from pacbot.common.webguards import request_id_of
from pacbot.gateway.api.schemas import UtcDatetime
from pacbot.gateway.authorize import authorize, rule_path
from pacbot.gateway.models import AuditEntry

log = logging.getLogger("pacbot.gateway.audit")

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DENIED = frozenset({401, 403, 429})
MAX_CAPTURE = 64 * 1024
Outcome = Literal["success", "denied", "rejected", "failed"]
router = APIRouter(prefix="/api/v1", tags=["audit"], dependencies=[Depends(authorize)])


def outcome_of(status: int) -> Outcome:
    """How a call ended, in the audit's words."""
    if status in DENIED:
        return "denied"
    if status >= 500:
        return "failed"
    return "rejected" if status >= 400 else "success"


def _created_ids(body: bytes) -> dict[str, str]:
    try:
        answer = json.loads(body)
    except ValueError:
        return {}
    if not isinstance(answer, dict):
        return {}
    return {k: str(v) for k, v in answer.items() if k.endswith("_id") and isinstance(v, str | int)}


def _detail(status: int, body: bytes) -> str | None:
    if status < 400:
        return None
    try:
        answer = json.loads(body)
    except ValueError:
        return None
    return str(answer.get("detail"))[:2000] if isinstance(answer, dict) else None


class AuditTrail:
    """Writes one audit row per mutating or refused ``/api/`` call, once its answer is sent.

    Pure ASGI: the answer passes through untouched (a stream that fails mid-way is never
    finished on the app's behalf); only a mutating call's first 64 KiB are kept, to find the
    ids it created and the problem's detail.
    """

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        status = 0
        captured = bytearray()
        mutating = scope["method"] in WRITE_METHODS

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and (mutating or status in DENIED):
                captured.extend(message.get("body", b"")[: max(0, MAX_CAPTURE - len(captured))])
            await send(message)

        await self.app(scope, receive, recording_send)
        if mutating or status in (401, 403):
            await self._record(Request(scope), status, bytes(captured))

    async def _record(self, request: Request, status: int, body: bytes) -> None:
        principal: Principal | None = getattr(request.state, "principal", None)
        targets: dict[str, Any] = {k: str(v) for k, v in request.path_params.items()}
        if 200 <= status < 300 and request.method == "POST":
            targets.update(_created_ids(body))
        entry = AuditEntry(
            method=request.method,
            path=request.url.path[:2000],
            status=status,
            at=utcnow(),
            actor=principal.subject if principal else None,
            roles=sorted(principal.roles) if principal else None,
            credential=principal.credential if principal else None,
            route=rule_path(request) if request.scope.get("route") else None,
            targets=targets or None,
            outcome=outcome_of(status),
            request_id=request_id_of(request),
            detail=_detail(status, body),
        )
        try:
            async with self.runtime.db.session() as session:
                session.add(entry)
        except Exception:
            log.exception("audit entry could not be written", extra={"path": request.url.path})


def install_audit(app: FastAPI, runtime: Runtime) -> None:
    """Add the middleware that writes the audit rows."""
    app.add_middleware(AuditTrail, runtime=runtime)


class AuditOut(BaseModel):
    """One audited call."""

    id: int
    at: UtcDatetime
    actor: str | None
    roles: list[str] | None
    credential: str | None
    method: str
    route: str | None
    path: str
    targets: dict[str, Any] | None
    status: int
    outcome: str | None
    request_id: str | None
    detail: str | None


class AuditPage(BaseModel):
    """A page of the audit log, newest first; pass ``next_cursor`` for the next one."""

    items: list[AuditOut]
    next_cursor: str | None


@router.get("/audit")
async def list_audit(
    session: DbSession,
    actor: str | None = None,
    outcome: Outcome | None = None,
    method: Annotated[Literal["POST", "PUT", "PATCH", "DELETE", "GET"] | None, Query()] = None,
    route: Annotated[str | None, Query(max_length=300, description="a route template")] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[str | None, Query(max_length=MAX_CURSOR)] = None,
) -> AuditPage:
    """Audited calls, newest first, filtered by actor, outcome, method, route and time."""
    filters = {"actor": actor, "outcome": outcome, "method": method, "route": route}
    mark = fingerprint("audit", {**filters, "since": since, "until": until})
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit + 1)
    for name, value in filters.items():
        if value is not None:
            query = query.where(getattr(AuditEntry, name) == value)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    if cursor:
        before = decode_cursor(cursor, mark)
        if type(before) is not int or not 0 < before < 2**62:
            raise InvalidCursor.garbage()
        query = query.where(AuditEntry.id < before)
    rows = list((await session.scalars(query)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditPage(
        items=[AuditOut.model_validate(r, from_attributes=True) for r in rows],
        next_cursor=encode_cursor(mark, rows[-1].id) if more and rows else None,
    )
