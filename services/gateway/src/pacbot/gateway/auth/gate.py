"""The front door: turns a request's credential into a principal, or refuses it (401).

Accepted, in order: ``Authorization: Bearer pbk_...`` (an API key), ``Authorization: Bearer
<JWT>`` (OIDC, when an issuer is configured), and the dashboard's session cookie (with CSRF on
mutating calls). Identity headers such as ``X-PacBot-User`` mean nothing here.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from fastapi import Request

from pacbot.common.auth import Principal
from pacbot.common.auth._verify import Unauthorized
from pacbot.common.events import utcnow
from pacbot.common.runtime import Runtime
from pacbot.gateway.auth import keys, sessions
from pacbot.gateway.auth.oidc import OidcConfig, OidcError, OidcVerifier
from pacbot.gateway.models import ApiKey
from pacbot.gateway.settings import GatewaySettings

log = logging.getLogger("pacbot.gateway.auth")

LOCAL = Principal("local-admin", frozenset({"admin"}), credential="local")


def oidc_verifier(settings: GatewaySettings) -> OidcVerifier | None:
    """The OIDC verifier the settings describe, or ``None`` when no issuer is configured."""
    if not settings.oidc_issuer:
        return None
    if not settings.oidc_audience:
        raise ValueError("PACBOT_GATEWAY_OIDC_AUDIENCE is required with an OIDC issuer")
    return OidcVerifier(
        OidcConfig(
            issuer=settings.oidc_issuer,
            audience=settings.oidc_audience,
            jwks_url=settings.oidc_jwks_url,
            leeway_seconds=settings.oidc_leeway_seconds,
            roles_claim=settings.oidc_roles_claim,
            groups_claim=settings.oidc_groups_claim,
            subject_claim=settings.oidc_subject_claim,
            role_map=settings.oidc_role_map,
            accounts_claim=settings.oidc_accounts_claim,
        )
    )


class Gate:
    """Authenticates one request at a time; holds the OIDC key cache between them."""

    def __init__(self, settings: GatewaySettings, runtime: Runtime) -> None:
        self.settings = settings
        self.runtime = runtime
        self.oidc = oidc_verifier(settings)

    async def aclose(self) -> None:
        """Release the JWKS client."""
        if self.oidc is not None:
            await self.oidc.aclose()

    async def authenticate(self, request: Request) -> Principal:
        """The caller of ``request``; ``Unauthorized`` with the reason otherwise."""
        if self.settings.auth_mode == "local":
            return LOCAL
        header = request.headers.get("authorization")
        if header is not None:
            scheme, _, token = header.partition(" ")
            token = token.strip()
            if scheme.lower() != "bearer" or not token:
                raise Unauthorized("the Authorization header must be 'Bearer <API key or token>'")
            if token.startswith(keys.PREFIX):
                return await self._key(token)
            if self.oidc is None:
                raise Unauthorized("the bearer token is not an API key, and OIDC is not enabled")
            try:
                return await self.oidc.verify(token)
            except OidcError as exc:
                raise Unauthorized(f"the bearer token was refused: {exc}") from exc
        session_id = request.cookies.get(sessions.SESSION_COOKIE)
        if session_id:
            return await self._session(request, session_id)
        raise Unauthorized(
            "no credential: send 'Authorization: Bearer <API key>' (or an OIDC token), "
            "or sign in for a session"
        )

    async def key_for(self, token: str) -> ApiKey:
        """The valid key behind ``token`` (its use recorded), else ``Unauthorized``."""
        async with self.runtime.db.session() as session:
            key, why = await keys.verify(session, token, utcnow())
        if key is None:
            raise Unauthorized(why)
        return key

    async def _key(self, token: str) -> Principal:
        return keys.principal_of_key(await self.key_for(token))

    async def _session(self, request: Request, session_id: str) -> Principal:
        now = utcnow()
        async with self.runtime.db.session() as session:
            key_id, why = await sessions.resolve(
                session,
                session_id,
                method=request.method,
                csrf=request.headers.get(sessions.CSRF_HEADER),
                now=now,
            )
            key = await session.get(ApiKey, key_id) if key_id else None
        if key is None:
            raise Unauthorized(why or "the session's key no longer exists")
        unusable = keys.usable(key, now)
        if unusable:
            raise Unauthorized(f"the session ended: {unusable}")
        return replace(keys.principal_of_key(key), credential=f"session:{key.key_id}")
