"""HTTP surface of the exceptions service: request, list, read and revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from pacbot.common.events import utcnow
from pacbot.common.web import AppRuntime, DbSession, NotFound
from pacbot.exceptions.grants import repository, service
from pacbot.exceptions.grants.schemas import (
    ExceptionOut,
    ExceptionPage,
    ExceptionRequest,
    ExceptionStatus,
    RevokeRequest,
)
from pacbot.exceptions.settings import ExceptionsSettings

router = APIRouter(prefix="/exceptions", tags=["exceptions"])


def exceptions_settings(runtime: AppRuntime) -> ExceptionsSettings:
    """The typed settings of the running service."""
    settings = runtime.settings
    if not isinstance(settings, ExceptionsSettings):
        raise TypeError("the exceptions router needs ExceptionsSettings")
    return settings


Settings = Annotated[ExceptionsSettings, Depends(exceptions_settings)]


@router.post("", status_code=status.HTTP_201_CREATED)
async def request_exception(
    body: ExceptionRequest, session: DbSession, runtime: AppRuntime, settings: Settings
) -> ExceptionOut:
    """Grant a resource exception; it takes effect as soon as the event is consumed."""
    record = await service.grant(
        session, runtime.outbox, body, max_days=settings.max_days, now=utcnow()
    )
    return ExceptionOut.model_validate(record)


@router.get("")
async def list_exceptions(
    session: DbSession,
    status_filter: Annotated[ExceptionStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ExceptionPage:
    """Exceptions, newest first, optionally by status."""
    rows, total = await repository.find(session, status=status_filter, limit=limit, offset=offset)
    return ExceptionPage(items=[ExceptionOut.model_validate(r) for r in rows], total=total)


@router.get("/{exception_id}")
async def get_exception(exception_id: str, session: DbSession) -> ExceptionOut:
    """One exception by id."""
    record = await repository.get(session, exception_id)
    if record is None:
        raise NotFound(f"exception {exception_id} not found", field="exception_id")
    return ExceptionOut.model_validate(record)


@router.post("/{exception_id}/revoke")
async def revoke_exception(
    exception_id: str, body: RevokeRequest, session: DbSession, runtime: AppRuntime
) -> ExceptionOut:
    """End an active exception now; 409 when it is already revoked or expired."""
    record = await service.revoke(
        session, runtime.outbox, exception_id, by=body.by, reason=body.reason, now=utcnow()
    )
    return ExceptionOut.model_validate(record)
