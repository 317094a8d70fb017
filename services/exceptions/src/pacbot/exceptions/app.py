"""Composition root of the exceptions service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from pacbot.common.notify import Notifier, Templates
from pacbot.common.runtime import Runtime, SharedInfra
from pacbot.common.settings_catalog import from_environment
from pacbot.common.web import build_service_app
from pacbot.exceptions.grants.expiry import ExpiryLoop
from pacbot.exceptions.grants.notices import Notices, log_outcome
from pacbot.exceptions.grants.router import router
from pacbot.exceptions.models import INBOX, NOTIFICATIONS, OUTBOX
from pacbot.exceptions.notifications import router as notifications_router
from pacbot.exceptions.settings import ExceptionsSettings

MIGRATIONS = Path(__file__).parent / "migrations"
NOTIFY_TRANSPORT = "notify_http"
"""Key in ``SharedInfra.transports`` that replaces the webhook/Slack network transport."""


def create_app(
    settings: ExceptionsSettings | None = None, shared: SharedInfra | None = None
) -> FastAPI:
    """The exceptions API, its expiry loop (warnings and expiries) and its notifications."""
    settings = settings or from_environment(ExceptionsSettings)  # uvicorn --factory: checked
    runtime = Runtime(settings, outbox=OUTBOX, inbox=INBOX, migrations=MIGRATIONS, shared=shared)
    notify_transport = shared.transports.get(NOTIFY_TRANSPORT) if shared else None
    templates = Templates("pacbot.exceptions", "templates")

    @asynccontextmanager
    async def setup(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
        async with httpx.AsyncClient(
            transport=notify_transport, timeout=settings.smtp_timeout_seconds
        ) as http:
            notifier = Notifier(settings, NOTIFICATIONS, templates, http=http)
            notices = Notices(notifier, settings)
            dispatcher = notifier.dispatcher(runtime.db, log_outcome, settings.notify_poll_seconds)
            expiry = ExpiryLoop(
                runtime, settings.expiry_poll_seconds, settings.expiring_soon_days, notices
            )
            app.state.notices = notices
            app.state.dispatcher = dispatcher
            app.state.expiry = expiry
            dispatcher.start()
            expiry.start()
            try:
                yield
            finally:
                await expiry.stop()
                await dispatcher.stop()

    return build_service_app(
        title="PacBot exceptions",
        runtime=runtime,
        routers=[router, notifications_router],
        setup=setup,
    )
