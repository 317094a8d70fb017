"""Composition root of the autofix service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from pacbot.autofix.models import INBOX, OUTBOX
from pacbot.autofix.plans.executor import FixExecutor
from pacbot.autofix.plans.notify import OwnerNotifier
from pacbot.autofix.plans.planner import Planner
from pacbot.autofix.plans.router import router
from pacbot.autofix.plans.timer import FixTimer
from pacbot.autofix.settings import AutofixSettings
from pacbot.common.events import VIOLATIONS_TOPIC
from pacbot.common.runtime import Runtime, SharedInfra
from pacbot.common.web import build_service_app

MIGRATIONS = Path(__file__).parent / "migrations"
WEBHOOK_TRANSPORT = "notify_webhook"
"""Key in ``SharedInfra.transports`` that replaces the webhook's network transport (tests)."""


def create_app(
    settings: AutofixSettings | None = None, shared: SharedInfra | None = None
) -> FastAPI:
    """The plans API, the violations consumer and the durable fix timer."""
    settings = settings or AutofixSettings()
    runtime = Runtime(settings, outbox=OUTBOX, inbox=INBOX, migrations=MIGRATIONS, shared=shared)
    webhook_transport = shared.transports.get(WEBHOOK_TRANSPORT) if shared else None

    @asynccontextmanager
    async def setup(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
        async with httpx.AsyncClient(transport=webhook_transport, timeout=10) as http:
            notifier = OwnerNotifier(settings.notify_webhook_url, http)
            planner = Planner(settings, runtime.outbox, notifier)
            runtime.subscribe([VIOLATIONS_TOPIC], planner.handle)
            timer = FixTimer(
                runtime, planner, FixExecutor(runtime, settings), settings.timer_poll_seconds
            )
            app.state.timer = timer
            timer.start()
            try:
                yield
            finally:
                await timer.stop()

    return build_service_app(title="PacBot autofix", runtime=runtime, routers=[router], setup=setup)
