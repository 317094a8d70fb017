"""``GET /notifications``: what the exceptions service told whom, and whether it arrived.

For the security team, admins and peer services only: notifications name people and quote
requests. Each notification lists its deliveries (one per channel) with attempts and errors.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from pacbot.common.auth import require
from pacbot.common.paging import PageRequest, paging
from pacbot.common.web import DbSession
from pacbot.exceptions.grants.notices import Notices

router = APIRouter(prefix="/notifications", tags=["notifications"])


def current_notices(request: Request) -> Notices:
    """The running app's notices (made in its lifespan)."""
    notices = getattr(request.app.state, "notices", None)
    if not isinstance(notices, Notices):
        raise RuntimeError("the exceptions app makes app.state.notices in its lifespan")
    return notices


CurrentNotices = Annotated[Notices, Depends(current_notices)]


class DeliveryOut(BaseModel):
    """One channel's delivery of a notification."""

    channel: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    delivered_at: datetime | None


class NotificationOut(BaseModel):
    """A notification: for whom, about what, and how it ended (``pending`` until settled)."""

    id: str
    kind: str
    subject_ref: str
    recipient: str | None
    template: str
    subject: str
    status: str
    detail: str
    dedupe_key: str | None
    created_at: datetime
    settled_at: datetime | None
    delivered_at: datetime | None
    deliveries: list[DeliveryOut]


class NotificationPage(BaseModel):
    """One page of notifications, newest first, and the next page's cursor."""

    items: list[NotificationOut]
    next_cursor: str | None = None


@router.get("", dependencies=[require("service", "security")])
async def list_notifications(
    session: DbSession,
    notices: CurrentNotices,
    page: Annotated[PageRequest, paging(50, 500)],
    subject_ref: Annotated[
        str | None, Query(max_length=500, description="an exception id: its notifications only")
    ] = None,
) -> NotificationPage:
    """Notifications, newest first, with their deliveries (security, admin or a peer service)."""
    window = page.window("notifications", {"subject_ref": subject_ref})
    rows = await notices.notifier.list(
        session, subject_ref=subject_ref, limit=window.fetch, offset=window.start
    )
    items, next_cursor = window.page(rows)
    return NotificationPage(
        items=[NotificationOut.model_validate(item) for item in items], next_cursor=next_cursor
    )
