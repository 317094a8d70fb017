"""Public routes for credentials: API keys (admin), browser sessions, and who am I."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.auth import Principal, principal_of
from pacbot.common.events import utcnow
from pacbot.common.paging import MAX_LIMIT, PageRequest, paging
from pacbot.common.runtime import Runtime
from pacbot.common.web import DbSession
from pacbot.gateway.api.schemas import UtcDatetime
from pacbot.gateway.auth import keys, sessions
from pacbot.gateway.auth.gate import Gate
from pacbot.gateway.authorize import authorize
from pacbot.gateway.models import ApiKey
from pacbot.gateway.settings import GatewaySettings

router = APIRouter(prefix="/api/v1", tags=["access"], dependencies=[Depends(authorize)])
Caller = Annotated[Principal, Depends(principal_of)]
Keys = Annotated[PageRequest, paging(MAX_LIMIT, MAX_LIMIT)]  # one page held them all before


class KeyRequest(BaseModel):
    """A new API key: what it is for, what it may do, and for how long."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "ci-scanner", "roles": ["viewer"], "expires_in_days": 30}]
        },
    )

    name: str = Field(min_length=1, max_length=200)
    roles: list[str] = Field(min_length=1, max_length=4)
    subject: str | None = Field(
        default=None, max_length=320, description="whom the key acts as (owner role: the owner)"
    )
    groups: list[str] = Field(default_factory=list, max_length=50)
    accounts: list[str] | None = Field(default=None, max_length=1000)
    asset_groups: list[str] | None = Field(default=None, max_length=100)
    expires_in_days: float = Field(default=90, gt=0)


class KeyOut(BaseModel):
    """An API key as listed: never its secret."""

    model_config = ConfigDict(from_attributes=True)

    key_id: str
    name: str
    subject: str
    roles: list[str]
    groups: list[str]
    accounts: list[str] | None
    asset_groups: list[str] | None
    created_by: str
    created_at: UtcDatetime
    expires_at: UtcDatetime
    revoked_at: UtcDatetime | None
    revoked_by: str | None
    last_used_at: UtcDatetime | None
    rotated_to: str | None


class IssuedKeyOut(KeyOut):
    """A key just issued: ``token`` is shown this once and never again."""

    token: str


class KeyList(BaseModel):
    """``GET /keys``: a page of keys, newest first, and the next page's cursor (null: the last)."""

    items: list[KeyOut]
    next_cursor: str | None = None


class SessionRequest(BaseModel):
    """Sign in to the dashboard with an API key."""

    model_config = ConfigDict(extra="forbid")

    api_key: str = Field(min_length=1, max_length=200)


class SessionOut(BaseModel):
    """A session: its CSRF token goes in ``X-CSRF-Token`` on every mutating call."""

    subject: str
    roles: list[str]
    csrf_token: str
    expires_at: UtcDatetime


class Me(BaseModel):
    """The authenticated caller."""

    subject: str
    roles: list[str]
    groups: list[str]
    accounts: list[str] | None
    asset_groups: list[str] | None
    credential: str


def _unit(request: Request) -> AbstractAsyncContextManager[AsyncSession]:
    """A unit of work that commits when the block ends (before the audit row is written)."""
    runtime: Runtime = request.app.state.runtime
    return runtime.db.session()


def _settings(request: Request) -> GatewaySettings:
    settings: GatewaySettings = request.app.state.runtime.settings
    return settings


def _issued(issued: keys.IssuedKey) -> IssuedKeyOut:
    return IssuedKeyOut(**KeyOut.model_validate(issued.record).model_dump(), token=issued.token)


@router.get("/me")
async def whoami(caller: Caller) -> Me:
    """Who the credential of this call belongs to, with its roles and scope."""
    return Me(
        subject=caller.subject,
        roles=sorted(caller.roles),
        groups=sorted(caller.groups),
        accounts=None if caller.accounts is None else sorted(caller.accounts),
        asset_groups=None if caller.asset_groups is None else sorted(caller.asset_groups),
        credential=caller.credential,
    )


@router.post("/keys", status_code=status.HTTP_201_CREATED)
async def create_key(body: KeyRequest, caller: Caller, request: Request) -> IssuedKeyOut:
    """Issue an API key; its token is in this answer only (only a hash is kept)."""
    spec = keys.KeySpec.of(
        body.roles,
        name=body.name,
        subject=body.subject,
        groups=body.groups,
        accounts=body.accounts,
        asset_groups=body.asset_groups,
        expires_in_days=body.expires_in_days,
    )
    async with _unit(request) as session:  # committed before the audit row is written
        issued = await keys.issue(
            session, spec, created_by=caller, max_days=_settings(request).key_max_days
        )
    return _issued(issued)


@router.get("/keys")
async def list_keys(session: DbSession, page: Keys, include_revoked: bool = False) -> KeyList:
    """API keys, newest first (never their secrets)."""
    window = page.window("gateway.keys", {"include_revoked": include_revoked})
    rows, next_cursor = window.of(await keys.listing(session, include_revoked=include_revoked))
    return KeyList(items=[KeyOut.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get("/keys/{key_id}")
async def get_key(key_id: str, session: DbSession) -> KeyOut:
    """One API key."""
    return KeyOut.model_validate(await keys.find(session, key_id))


@router.post("/keys/{key_id}/rotate", status_code=status.HTTP_201_CREATED)
async def rotate_key(
    key_id: str,
    caller: Caller,
    request: Request,
    overlap_seconds: Annotated[float, Query(ge=0, le=7 * 86400)] = 0,
) -> IssuedKeyOut:
    """Issue a successor with the same rights; the old key ends after ``overlap_seconds``."""
    async with _unit(request) as session:
        issued = await keys.rotate(
            session,
            key_id,
            by=caller,
            max_days=_settings(request).key_max_days,
            overlap_seconds=overlap_seconds,
            now=utcnow(),
        )
    return _issued(issued)


@router.post("/keys/{key_id}/revoke")
async def revoke_key(key_id: str, caller: Caller, request: Request) -> KeyOut:
    """Revoke an API key now; its sessions end with it."""
    async with _unit(request) as session:
        record = await keys.revoke(session, key_id, by=caller.subject, now=utcnow())
        return KeyOut.model_validate(record)


@router.post("/session")
async def sign_in(body: SessionRequest, request: Request, response: Response) -> SessionOut:
    """Exchange an API key for a browser session (HttpOnly SameSite cookie + CSRF token)."""
    gate: Gate = request.app.state.gate
    key: ApiKey = await gate.key_for(body.api_key)
    settings = _settings(request)
    async with _unit(request) as session:
        opened = await sessions.open_session(session, key, hours=settings.session_hours)
    principal = keys.principal_of_key(key)
    request.state.principal = principal
    max_age = int((opened.expires_at - utcnow()).total_seconds())
    for name, value, httponly, path in (
        (sessions.SESSION_COOKIE, opened.session_id, True, "/api/"),
        (sessions.CSRF_COOKIE, opened.csrf_token, False, "/"),
    ):
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path=path,
            secure=settings.cookie_secure,
            httponly=httponly,
            samesite="strict",
        )
    return SessionOut(
        subject=principal.subject,
        roles=sorted(principal.roles),
        csrf_token=opened.csrf_token,
        expires_at=opened.expires_at,
    )


@router.delete("/session", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out(request: Request) -> Response:
    """End this browser session."""
    session_id = request.cookies.get(sessions.SESSION_COOKIE)
    if session_id:
        async with _unit(request) as session:
            await sessions.close_session(session, session_id)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(sessions.SESSION_COOKIE, path="/api/")
    response.delete_cookie(sessions.CSRF_COOKIE, path="/")
    return response
