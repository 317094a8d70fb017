"""Composition root of the exceptions service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from pacbot.common.runtime import Runtime, SharedInfra
from pacbot.common.web import build_service_app
from pacbot.exceptions.grants.expiry import ExpiryLoop
from pacbot.exceptions.grants.router import router
from pacbot.exceptions.models import INBOX, OUTBOX
from pacbot.exceptions.settings import ExceptionsSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(
    settings: ExceptionsSettings | None = None, shared: SharedInfra | None = None
) -> FastAPI:
    """The exceptions API plus its expiry loop (warnings and expiries)."""
    settings = settings or ExceptionsSettings()
    runtime = Runtime(settings, outbox=OUTBOX, inbox=INBOX, migrations=MIGRATIONS, shared=shared)

    @asynccontextmanager
    async def setup(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
        expiry = ExpiryLoop(runtime, settings.expiry_poll_seconds, settings.expiring_soon_days)
        app.state.expiry = expiry
        expiry.start()
        try:
            yield
        finally:
            await expiry.stop()

    return build_service_app(
        title="PacBot exceptions", runtime=runtime, routers=[router], setup=setup
    )
