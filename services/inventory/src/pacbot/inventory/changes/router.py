"""``POST /events/aws``: take an EventBridge/CloudTrail change event and re-discover at once."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request

from pacbot.common.auth import Principal, require
from pacbot.common.web import DbSession
from pacbot.inventory.changes.parse import parse_change_event
from pacbot.inventory.changes.service import rediscover
from pacbot.inventory.changes.signature import SIGNATURE_HEADER, check_signature

router = APIRouter(tags=["changes"])


@router.post("/events/aws")
async def aws_change_event(
    request: Request,
    session: DbSession,
    event: Annotated[dict[str, Any], Body()],
    caller: Annotated[Principal, require("service")],
) -> dict[str, Any]:
    """Re-discover just the resources the event names (peers, or admin with a signed body)."""
    secret = request.app.state.runtime.settings.events_secret
    check_signature(
        caller,
        secret.get_secret_value() if secret else None,
        await request.body(),
        request.headers.get(SIGNATURE_HEADER),
    )
    hint = parse_change_event(event)
    state = request.app.state
    changes = await rediscover(session, state.planner, state.discovery, hint)
    return {
        "event": hint.event_name,
        "account": hint.account_id,
        "region": hint.region,
        "changes": changes,
    }
