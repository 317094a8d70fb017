"""The FastAPI factory every service uses: lifespan, health, readiness, metrics, error shapes."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pacbot.common.auth import install_service_auth
from pacbot.common.auth._verify import Forbidden, Unauthorized
from pacbot.common.logging import configure_logging
from pacbot.common.metrics import HTTP_REQUESTS, render
from pacbot.common.problems import problem
from pacbot.common.runtime import Runtime
from pacbot.common.webguards import RequestGuards, document_problems, request_id_of

log = logging.getLogger("pacbot.web")

Setup = Callable[[FastAPI, Runtime], AbstractAsyncContextManager[None]]


class DomainError(Exception):
    """A request that is well-formed but not allowed; rendered as a 4xx with a reason."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if status_code is not None:
            self.status_code = status_code


class NotFound(DomainError):
    """The named thing does not exist."""

    status_code = 404


class Conflict(DomainError):
    """The request conflicts with the current state."""

    status_code = 409


def build_service_app(
    *,
    title: str,
    runtime: Runtime,
    routers: Sequence[APIRouter],
    setup: Setup | None = None,
    configure_logs: bool = True,
    internal: bool = True,
) -> FastAPI:
    """A service app whose lifespan opens the runtime, runs ``setup``, then starts messaging.

    ``internal`` services answer only calls carrying an internal token (the gateway's or a
    peer's); the gateway passes ``internal=False`` and authenticates callers itself.
    """
    settings = runtime.settings

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if configure_logs:
            configure_logging(
                settings.service_name, settings.log_level, json_output=settings.log_json
            )
        await runtime.open()
        try:
            if setup is None:
                await runtime.start_messaging()
                yield
            else:
                async with setup(app, runtime):
                    await runtime.start_messaging()
                    yield
        finally:
            await runtime.close()

    app = FastAPI(title=title, version="1.0.0", lifespan=lifespan)
    app.state.runtime = runtime
    app.include_router(_ops_router(runtime))
    for router in routers:
        app.include_router(router)
    _install_error_handlers(app)
    _install_metrics_middleware(app, settings.service_name)
    if internal:
        install_service_auth(app, runtime.tokens, settings.service_name)
    app.add_middleware(RequestGuards, max_body_bytes=settings.max_body_bytes)
    document_problems(app)
    return app


def _ops_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["ops"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": runtime.name}

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        checks = await runtime.ready()
        ok = all(checks.values())
        return JSONResponse({"ready": ok, "checks": checks}, status_code=200 if ok else 503)

    @router.get("/metrics")
    async def metrics() -> Response:
        body, content_type = render()
        return Response(body, media_type=content_type)

    return router


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
        return problem(
            exc.status_code,
            type(exc).__name__,
            exc.message,
            field=exc.field,
            instance=request.url.path,
            request_id=request_id_of(request),
        )

    @app.exception_handler(Unauthorized)
    async def unauthorized(request: Request, exc: Unauthorized) -> JSONResponse:
        return problem(
            401,
            "Unauthenticated",
            str(exc),
            headers={"WWW-Authenticate": "Bearer"},
            request_id=request_id_of(request),
        )

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> JSONResponse:
        return problem(403, "Forbidden", str(exc), request_id=request_id_of(request))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        names = {404: "NotFound", 405: "MethodNotAllowed", 413: "PayloadTooLarge"}
        return problem(
            exc.status_code,
            names.get(exc.status_code, "HttpError"),
            str(exc.detail),
            headers=getattr(exc, "headers", None),
            request_id=request_id_of(request),
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
        field = ".".join(str(p) for p in first["loc"] if p not in ("body", "query", "path"))
        return problem(
            422,
            "ValidationError",
            f"{field or 'request'}: {first['msg']}",
            field=field or None,
            errors=[
                {"loc": [str(p) for p in e["loc"]], "msg": e["msg"], "type": e["type"]}
                for e in errors
            ],
            request_id=request_id_of(request),
        )


def _install_metrics_middleware(app: FastAPI, service: str) -> None:
    app.add_middleware(Timed, service=service)


class Timed:
    """Request duration by route and status, as pure ASGI: a stream that fails mid-way is never
    finished on the app's behalf (Starlette's ``BaseHTTPMiddleware`` would send the end)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def timed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            path = getattr(scope.get("route"), "path", "unmatched")
            HTTP_REQUESTS.labels(self.service, scope["method"], path, str(status)).observe(
                time.perf_counter() - start
            )


def get_runtime(request: Request) -> Runtime:
    """The runtime of the app serving this request."""
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A unit of work that commits when the endpoint returns."""
    async with get_runtime(request).db.session() as session:
        yield session


AppRuntime = Annotated[Runtime, Depends(get_runtime)]
DbSession = Annotated[AsyncSession, Depends(get_session)]
