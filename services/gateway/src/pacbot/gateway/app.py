"""Composition root of the gateway: the one authenticated, role-checked surface of PacBot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from pacbot.common.problems import problem
from pacbot.common.runtime import Runtime, SharedInfra
from pacbot.common.settings_catalog import from_environment
from pacbot.common.web import build_service_app
from pacbot.common.webguards import request_id_of
from pacbot.gateway.api.audit import install_audit
from pacbot.gateway.api.audit import router as audit_router
from pacbot.gateway.api.exceptions_routes import router as exceptions_router
from pacbot.gateway.api.frameworks_routes import router as frameworks_router
from pacbot.gateway.api.inventory_routes import router as inventory_router
from pacbot.gateway.api.keys_routes import router as keys_router
from pacbot.gateway.api.router import router
from pacbot.gateway.api.violations_routes import router as violations_router
from pacbot.gateway.auth.gate import Gate
from pacbot.gateway.auth.ratelimit import RateLimiter
from pacbot.gateway.authorize import RateLimited
from pacbot.gateway.dashboard import Site, dashboard_router
from pacbot.gateway.models import INBOX, OUTBOX
from pacbot.gateway.openapi import document_security
from pacbot.gateway.settings import GatewaySettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(
    settings: GatewaySettings | None = None, shared: SharedInfra | None = None
) -> FastAPI:
    """The ``/api/v1`` app; peers are reached through ``runtime.service(name)``."""
    settings = settings or from_environment(GatewaySettings)  # uvicorn --factory: checked
    if settings.auth_mode == "local" and not settings.loopback_only():
        raise ValueError(
            f"auth_mode=local lets every caller act as admin; it only listens on 127.0.0.1, "
            f"not on {settings.host!r}"
        )
    runtime = Runtime(settings, outbox=OUTBOX, inbox=INBOX, migrations=MIGRATIONS, shared=shared)
    gate = Gate(settings, runtime)

    @asynccontextmanager
    async def setup(_app: FastAPI, _runtime: Runtime) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await gate.aclose()

    app = build_service_app(
        title="PacBot API",
        runtime=runtime,
        routers=[
            keys_router,
            inventory_router,
            violations_router,
            frameworks_router,
            exceptions_router,
            router,
            audit_router,
        ],
        setup=setup,
        internal=False,
    )
    app.include_router(dashboard_router(Site.load()))
    app.state.gate = gate
    app.state.limiter = RateLimiter(settings.rate_limit_per_minute)

    @app.exception_handler(RateLimited)
    async def rate_limited(request: Request, exc: RateLimited) -> JSONResponse:
        return problem(
            429,
            "RateLimited",
            exc.message,
            headers={"Retry-After": exc.retry_after},
            request_id=request_id_of(request),
        )

    install_audit(app, runtime)
    document_security(app, oidc_issuer=settings.oidc_issuer)
    return app


def route_table(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) of the public API, as the OpenAPI document lists it."""
    spec: dict[str, Any] = app.openapi()
    return sorted(
        (method.upper(), path)
        for path, item in spec["paths"].items()
        if path.startswith("/api/")
        for method in item
    )
