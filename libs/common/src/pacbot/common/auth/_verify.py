"""Services verify, never authenticate: every call but the probes carries an internal token."""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from pacbot.common.auth._principal import Principal
from pacbot.common.auth._token import InternalTokens, TokenError
from pacbot.common.problems import MEDIA_TYPE, problem_body

log = logging.getLogger("pacbot.auth")

# Probes a kubelet or Prometheus calls without a credential; nothing else is open.
OPEN_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class Unauthorized(Exception):
    """No valid credential: 401."""


class Forbidden(Exception):
    """A valid credential without the needed role or scope: 403."""


class ServiceAuthMiddleware:
    """Refuses (401) every call without a valid internal token for this service."""

    def __init__(self, app: ASGIApp, tokens: InternalTokens, audience: str) -> None:
        self.app = app
        self.tokens = tokens
        self.audience = audience

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        try:
            principal = self.tokens.verify(_bearer(scope), self.audience)
        except TokenError as exc:
            log.info("internal call refused", extra={"path": scope["path"], "reason": str(exc)})
            await _send_problem(send, 401, "Unauthenticated", str(exc))
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)


def _bearer(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            kind, _, token = str(value.decode("latin-1")).partition(" ")
            if kind.lower() == "bearer" and token.strip():
                return token.strip()
            raise TokenError("the Authorization header is not a bearer token")
    raise TokenError("this service answers only calls that carry the internal token")


async def _send_problem(send: Send, status: int, error: str, detail: str) -> None:
    body = json.dumps(problem_body(status, error, detail)).encode()
    headers = [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    if status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="pacbot-internal"'))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def install_service_auth(app: FastAPI, tokens: InternalTokens, audience: str) -> None:
    """Make every route of ``app`` but the probes need an internal token for ``audience``."""
    app.add_middleware(ServiceAuthMiddleware, tokens=tokens, audience=audience)


def principal_of(request: Request) -> Principal:
    """The verified caller of this request (set by the service or gateway authentication)."""
    principal: Any = getattr(request.state, "principal", None)
    if not isinstance(principal, Principal):
        raise Unauthorized("this call carries no verified identity")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(principal_of)]


def require(*roles: str) -> Any:
    """A dependency: the caller holds one of ``roles`` (admin always passes), else 403."""
    allowed = frozenset(roles) | {"admin"}

    def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has_any(allowed):
            raise Forbidden(
                f"{principal.subject} holds {sorted(principal.roles) or 'no role'}; "
                f"this call needs one of {sorted(allowed)}"
            )
        return principal

    return Depends(check)
