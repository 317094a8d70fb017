"""Composition root of the autofix service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from pacbot.autofix.models import INBOX, NOTIFICATIONS, OUTBOX
from pacbot.autofix.plans.commands import Commands
from pacbot.autofix.plans.executor import FixExecutor
from pacbot.autofix.plans.notices import Notices
from pacbot.autofix.plans.peers import AccountDirectory
from pacbot.autofix.plans.planner import Planner
from pacbot.autofix.plans.router import router
from pacbot.autofix.plans.timer import FixTimer
from pacbot.autofix.settings import AutofixSettings
from pacbot.common.events import VIOLATIONS_TOPIC
from pacbot.common.notify import DigestJob, Notifier, Templates
from pacbot.common.periodic import Periodic
from pacbot.common.runtime import Runtime, SharedInfra
from pacbot.common.settings_catalog import from_environment
from pacbot.common.web import build_service_app

MIGRATIONS = Path(__file__).parent / "migrations"
NOTIFY_TRANSPORT = "notify"
"""Key in ``SharedInfra.transports`` that replaces the notification channels' HTTP transport."""


def create_app(
    settings: AutofixSettings | None = None, shared: SharedInfra | None = None
) -> FastAPI:
    """The AutoFix API, the violations consumer, the durable fix timer and the notifier."""
    settings = settings or from_environment(AutofixSettings)  # uvicorn --factory: checked
    runtime = Runtime(settings, outbox=OUTBOX, inbox=INBOX, migrations=MIGRATIONS, shared=shared)
    notify_transport = shared.transports.get(NOTIFY_TRANSPORT) if shared else None

    @asynccontextmanager
    async def setup(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            http = await stack.enter_async_context(
                httpx.AsyncClient(transport=notify_transport, timeout=10)
            )
            templates = Templates("pacbot.autofix", "templates")
            notifier = Notifier(settings, NOTIFICATIONS, templates, http=http)
            notices = Notices(settings, notifier, runtime.outbox)
            planner = Planner(settings, runtime.outbox, notices)
            runtime.subscribe([VIOLATIONS_TOPIC], planner.handle)
            accounts = AccountDirectory(runtime.service("inventory"))
            executor = FixExecutor(runtime, settings, notices, accounts)
            loops: list[Periodic] = [
                FixTimer(
                    runtime,
                    notices,
                    executor,
                    settings.timer_poll_seconds,
                    concurrency=settings.fix_concurrency,
                ),
                notifier.dispatcher(runtime.db, notices.settled, settings.notify_poll_seconds),
            ]
            if settings.digest_enabled:
                loops.append(
                    DigestJob(
                        notifier,
                        runtime.db,
                        notices.digest,
                        template="fix-digest",
                        interval=settings.digest_interval_seconds,
                    )
                )
            app.state.notifier = notifier
            app.state.commands = Commands(runtime, planner, notices)
            app.state.timer = loops[0]
            app.state.executor = executor
            for loop in loops:
                loop.start()
                stack.push_async_callback(loop.stop)
            yield

    return build_service_app(title="PacBot autofix", runtime=runtime, routers=[router], setup=setup)
