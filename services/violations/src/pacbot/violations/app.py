"""Composition root of the violations service: consumers plus the violations/compliance API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from pacbot.common.events import (
    ASSETS_TOPIC,
    EVALUATIONS_TOPIC,
    EXCEPTIONS_TOPIC,
    POLICIES_TOPIC,
)
from pacbot.common.runtime import Runtime, SharedInfra
from pacbot.common.web import build_service_app
from pacbot.violations.compliance.router import router as compliance_router
from pacbot.violations.lifecycle.consumers import event_handler
from pacbot.violations.lifecycle.router import router as violations_router
from pacbot.violations.models import INBOX, OUTBOX
from pacbot.violations.settings import ViolationsSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(
    settings: ViolationsSettings | None = None, shared: SharedInfra | None = None
) -> FastAPI:
    """The violations app: consumes evaluations, deletions and exceptions; serves the results."""
    settings = settings or ViolationsSettings()
    runtime = Runtime(settings, outbox=OUTBOX, inbox=INBOX, migrations=MIGRATIONS, shared=shared)

    @asynccontextmanager
    async def setup(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
        runtime.subscribe(
            [EVALUATIONS_TOPIC, ASSETS_TOPIC, EXCEPTIONS_TOPIC, POLICIES_TOPIC],
            event_handler(runtime.outbox),
        )
        yield

    return build_service_app(
        title="PacBot violations",
        runtime=runtime,
        routers=[violations_router, compliance_router],
        setup=setup,
    )
