"""Composition root of the gateway: the public API over the other services."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from pacbot.common.runtime import Runtime, SharedInfra
from pacbot.common.web import build_service_app
from pacbot.gateway.api.audit import install_audit
from pacbot.gateway.api.exceptions_routes import router as exceptions_router
from pacbot.gateway.api.inventory_routes import router as inventory_router
from pacbot.gateway.api.router import router
from pacbot.gateway.api.violations_routes import router as violations_router
from pacbot.gateway.models import INBOX, OUTBOX
from pacbot.gateway.settings import GatewaySettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(
    settings: GatewaySettings | None = None, shared: SharedInfra | None = None
) -> FastAPI:
    """The ``/api/v1`` app; peers are reached through ``runtime.service(name)``."""
    settings = settings or GatewaySettings()
    runtime = Runtime(settings, outbox=OUTBOX, inbox=INBOX, migrations=MIGRATIONS, shared=shared)
    app = build_service_app(
        title="PacBot gateway",
        runtime=runtime,
        routers=[inventory_router, violations_router, exceptions_router, router],
    )
    install_audit(app, runtime)
    return app
