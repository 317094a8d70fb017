"""HTTP surface of the exceptions service: request, decide, revoke, list and read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.events import utcnow
from pacbot.common.paging import Paging, days
from pacbot.common.runtime import Runtime
from pacbot.common.web import AppRuntime, DbSession, NotFound
from pacbot.exceptions.grants import repository, service
from pacbot.exceptions.grants.identity import Actor, CurrentActor, Forbidden
from pacbot.exceptions.grants.notices import Notices
from pacbot.exceptions.grants.peers import check_with_peers
from pacbot.exceptions.grants.preview import Preview, preview
from pacbot.exceptions.grants.rights import check_requester
from pacbot.exceptions.grants.schemas import (
    ApprovalRequest,
    DecisionRequest,
    ExceptionDetail,
    ExceptionKind,
    ExceptionOut,
    ExceptionPage,
    ExceptionRequest,
    ExceptionStatus,
    HistoryEntry,
)
from pacbot.exceptions.grants.service import same_user
from pacbot.exceptions.grants.validation import text, validate_request
from pacbot.exceptions.notifications import CurrentNotices
from pacbot.exceptions.settings import ExceptionsSettings

router = APIRouter(prefix="/exceptions", tags=["exceptions"])


def exceptions_settings(runtime: AppRuntime) -> ExceptionsSettings:
    """The typed settings of the running service."""
    settings = runtime.settings
    if not isinstance(settings, ExceptionsSettings):
        raise TypeError("the exceptions router needs ExceptionsSettings")
    return settings


Settings = Annotated[ExceptionsSettings, Depends(exceptions_settings)]


def owner_only(actor: Actor) -> bool:
    """Reads nothing beyond their own requests: no viewer, security or service role."""
    return not any(actor.has_role(r) for r in ("viewer", "security", "service"))


@router.post("", status_code=status.HTTP_201_CREATED)
async def request_exception(
    body: ExceptionRequest,
    actor: CurrentActor,
    session: DbSession,
    runtime: AppRuntime,
    settings: Settings,
    notices: CurrentNotices,
) -> ExceptionOut:
    """Request an exception; it stays pending, exempting nothing, until an approver grants it.

    The approvers are told (in the same transaction, delivered in the background)."""
    now = utcnow()
    valid = validate_request(body, now=now, max_days=settings.max_days)
    await check_requester(runtime, actor, valid)
    await check_with_peers(runtime, valid)
    record = await service.request(
        session, runtime.outbox, valid, requester=actor.user, now=now, notices=notices
    )
    return ExceptionOut.model_validate(record)


@router.post("/preview")
async def preview_exception(
    body: ExceptionRequest,
    runtime: AppRuntime,
    settings: Settings,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Preview:
    """The open violations this request would exempt if it were granted now; changes nothing."""
    valid = validate_request(body, now=utcnow(), max_days=settings.max_days)
    await check_with_peers(runtime, valid)
    return await preview(runtime, valid, limit=limit)


@router.get("")
async def list_exceptions(
    session: DbSession,
    actor: CurrentActor,
    page: Paging,
    status_filter: Annotated[ExceptionStatus | None, Query(alias="status")] = None,
    kind: ExceptionKind | None = None,
    policy_id: Annotated[str | None, Query(description="names it, or covers every policy")] = None,
    requester: str | None = None,
    expiring_within_days: Annotated[
        float | None, days("pending or active, ending within N days")
    ] = None,
) -> ExceptionPage:
    """Exceptions, newest first; every given filter must match. An owner sees their own."""
    if owner_only(actor):
        if requester is not None and requester.casefold() != actor.user.casefold():
            raise Forbidden(f"{actor.user} holds the owner role and sees only their own requests")
        requester = actor.user
    where = repository.ExceptionFilter(
        status=status_filter,
        kind=kind,
        policy_id=policy_id,
        requester=requester,
        expiring_within_days=expiring_within_days,
    )
    window = page.window("exceptions", where)
    read, total = await repository.find(
        session, where, now=utcnow(), limit=window.fetch, offset=window.start
    )
    rows, next_cursor = window.page(read)
    return ExceptionPage(
        items=[ExceptionOut.model_validate(r) for r in rows], total=total, next_cursor=next_cursor
    )


@router.get("/{exception_id}")
async def get_exception(
    exception_id: str, session: DbSession, actor: CurrentActor
) -> ExceptionDetail:
    """One exception with its history; an owner sees only their own requests."""
    record = await repository.get(session, exception_id)
    if record is None or (owner_only(actor) and not same_user(record.requester, actor.user)):
        raise NotFound(f"exception {exception_id} not found", field="exception_id")
    steps = await repository.history(session, exception_id)
    return ExceptionDetail(
        **ExceptionOut.model_validate(record).model_dump(),
        history=[HistoryEntry.model_validate(step) for step in steps],
    )


@dataclass(frozen=True)
class Workflow:
    """What every approve / reject / revoke call needs: who acts, the session, the settings,
    and who is told."""

    actor: Actor
    session: AsyncSession
    runtime: Runtime
    settings: ExceptionsSettings
    notices: Notices

    async def run(
        self, step: Literal["granted", "rejected", "revoked"], exception_id: str, note: str | None
    ) -> ExceptionOut:
        """Apply ``step`` to the exception and show the result."""
        outbox, role, now = self.runtime.outbox, self.settings.approver_role, utcnow()
        if step == "revoked":
            record = await service.revoke(
                self.session,
                outbox,
                exception_id,
                actor=self.actor,
                approver_role=role,
                note=note,
                now=now,
            )
        else:
            record = await service.decide(
                self.session,
                outbox,
                exception_id,
                step,
                actor=self.actor,
                approver_role=role,
                note=note,
                now=now,
                notices=self.notices,
            )
        return ExceptionOut.model_validate(record)


def workflow(
    actor: CurrentActor,
    session: DbSession,
    runtime: AppRuntime,
    settings: Settings,
    notices: CurrentNotices,
) -> Workflow:
    """The acting user (401 without one) and the unit of work of a workflow call."""
    return Workflow(actor, session, runtime, settings, notices)


WorkflowStep = Annotated[Workflow, Depends(workflow)]


@router.post("/{exception_id}/approve")
async def approve_exception(
    exception_id: str, steps: WorkflowStep, body: ApprovalRequest | None = None
) -> ExceptionOut:
    """Grant a pending exception (approver role; not its requester)."""
    comment = body.comment.strip() if body and body.comment and body.comment.strip() else None
    return await steps.run("granted", exception_id, comment)


@router.post("/{exception_id}/reject")
async def reject_exception(
    exception_id: str, body: DecisionRequest, steps: WorkflowStep
) -> ExceptionOut:
    """Turn a pending exception down with a reason (approver role; not its requester)."""
    return await steps.run("rejected", exception_id, text(body.reason, "reason"))


@router.post("/{exception_id}/revoke")
async def revoke_exception(
    exception_id: str, body: DecisionRequest, steps: WorkflowStep
) -> ExceptionOut:
    """End a pending or active exception now (its requester or an approver); 409 otherwise."""
    return await steps.run("revoked", exception_id, text(body.reason, "reason"))
