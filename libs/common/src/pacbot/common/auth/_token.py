"""The internal credential: a short-lived HS256 JWT the gateway (or a peer) mints per call.

Every service holds the same internal secret (a Kubernetes Secret; generated per process when
embedded). A token names its target service as audience, lives ``ttl`` seconds and carries the
principal, so a token minted for the violations service is refused by the autofix service.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Generator

import httpx
import jwt

from pacbot.common.auth._principal import Principal, service_principal

ISSUER = "pacbot"
ALGORITHM = "HS256"
MIN_SECRET_BYTES = 32


class TokenError(Exception):
    """An internal token that is missing, malformed, expired or meant for someone else."""


class InternalTokens:
    """Mints and verifies internal tokens with one shared secret."""

    def __init__(self, secret: str, *, ttl_seconds: float = 60, leeway_seconds: float = 5):
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError(
                f"the internal secret must be at least {MIN_SECRET_BYTES} bytes "
                f"(got {len(secret.encode())}); generate one with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
            )
        self._secret = secret
        self.ttl_seconds = ttl_seconds
        self.leeway_seconds = leeway_seconds

    def mint(self, principal: Principal, audience: str, *, request_id: str | None = None) -> str:
        """A token for one call to ``audience`` on behalf of ``principal``."""
        now = int(time.time())
        claims = {
            **principal.claims(),
            "iss": ISSUER,
            "aud": audience,
            "iat": now,
            "exp": now + int(self.ttl_seconds),
            "jti": uuid.uuid4().hex,
        }
        if request_id:
            claims["rid"] = request_id
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str, audience: str) -> Principal:
        """The principal of a valid token for ``audience``; ``TokenError`` says why not."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=audience,
                issuer=ISSUER,
                leeway=self.leeway_seconds,
                options={"require": ["exp", "iat", "aud", "iss", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenError("the internal token has expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise TokenError(f"the internal token is not meant for the {audience} service") from exc
        except jwt.PyJWTError as exc:
            raise TokenError(f"the internal token is invalid ({exc})") from exc
        return Principal.from_claims(claims)


class InternalAuth(httpx.Auth):
    """Signs a peer call as the calling service, unless it already carries a token."""

    def __init__(self, tokens: InternalTokens, caller: str, audience: str) -> None:
        self._tokens = tokens
        self._principal = service_principal(caller)
        self._audience = audience

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if "authorization" not in request.headers:
            token = self._tokens.mint(self._principal, self._audience)
            request.headers["Authorization"] = f"Bearer {token}"
        yield request
