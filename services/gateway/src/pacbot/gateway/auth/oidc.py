"""OIDC bearer tokens: verified against the issuer's published keys, mapped to PacBot roles.

Only asymmetric algorithms from the configured list are accepted, and a key verifies only the
algorithm family it belongs to, so ``alg: none`` and HS256-signed-with-the-public-key tokens
fail. Keys are cached for ``jwks_ttl_seconds``; a token naming an unknown ``kid`` forces one
refresh (at most one per ``refresh_interval_seconds``, so random kids cannot hammer the issuer).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt

from pacbot.common.auth import ROLES, Principal

log = logging.getLogger("pacbot.gateway.auth.oidc")

ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
_KEY_TYPES = {"RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}
_CURVES = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}
MAX_TOKEN_CHARS = 16_384
UNSCOPED = "*"


class OidcError(Exception):
    """A bearer token refused, with the reason a person can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class OidcConfig:
    """One trusted issuer: who it is, what it must say, and how its claims become roles.

    ``role_map`` maps a roles- or groups-claim value to PacBot roles; a value that is itself a
    PacBot role maps to itself. With ``accounts_claim`` set, a token lacking it sees no account
    (fail closed) and a value of ``"*"`` means every account.
    """

    issuer: str
    audience: str
    jwks_url: str | None = None
    algorithms: tuple[str, ...] = ("RS256", "ES256")
    leeway_seconds: float = 60
    roles_claim: str = "roles"
    groups_claim: str = "groups"
    subject_claim: str = "email"
    role_map: Mapping[str, Sequence[str]] = field(default_factory=dict)
    accounts_claim: str | None = None
    jwks_ttl_seconds: float = 600
    refresh_interval_seconds: float = 30
    http_timeout_seconds: float = 5

    def __post_init__(self) -> None:
        if not self.issuer or not self.audience:
            raise ValueError("OIDC needs both an issuer and an audience")
        unsafe = set(self.algorithms) - ASYMMETRIC_ALGORITHMS
        if unsafe or not self.algorithms:
            raise ValueError(
                f"OIDC algorithms must be asymmetric, from {sorted(ASYMMETRIC_ALGORITHMS)}; "
                f"refusing {sorted(unsafe) or 'an empty list'}"
            )
        for value, roles in self.role_map.items():
            unknown = set(roles) - set(ROLES)
            if isinstance(roles, str) or unknown:
                raise ValueError(
                    f"role_map[{value!r}] must list PacBot roles from {list(ROLES)}, got {roles!r}"
                )

    @property
    def discovery_url(self) -> str:
        """Where the issuer publishes its metadata, including ``jwks_uri``."""
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


class OidcVerifier:
    """Turns an issuer's bearer token into a principal; holds the issuer's keys between calls."""

    def __init__(self, config: OidcConfig, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self._clock = clock
        self._client: httpx.AsyncClient | None = None
        self._lock = asyncio.Lock()
        self._jwks_url = config.jwks_url
        self._keys: list[_Key] | None = None
        self._fetched_at = 0.0
        self._attempted_at = 0.0
        self._forced_at = float("-inf")
        self._attempts = 0
        self._error: str | None = None

    async def aclose(self) -> None:
        """Release the HTTP client, if one was built."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def verify(self, token: str) -> Principal:
        """The principal ``token`` proves; ``OidcError`` says why it proves nothing."""
        header = _header(token)
        alg = header.get("alg")
        if not isinstance(alg, str) or alg.lower() == "none":
            raise OidcError("unsigned tokens (alg: none) are refused")
        if alg not in self.config.algorithms:
            raise OidcError(f"algorithm {alg} is not allowed (allowed: {self.config.algorithms})")
        kid = header.get("kid")
        key = await self._key(kid if isinstance(kid, str) else None, alg)
        claims = self._decode(token, key, alg)
        return self._principal(claims, token)

    async def _key(self, kid: str | None, alg: str) -> Any:
        attempts = self._attempts
        found = _pick(await self._keyset(force=False), kid)
        just_fetched = self._attempts != attempts
        if found is None and kid is not None and not just_fetched:
            found = _pick(await self._keyset(force=True), kid)
        if found is None:
            raise OidcError(f"unknown signing key {kid!r}: the issuer does not publish it")
        return found.for_algorithm(alg)

    async def _keyset(self, *, force: bool) -> list[_Key]:
        """The cached keys, fetched when stale or forced; one fetch serves every waiter."""
        attempts = self._attempts
        async with self._lock:
            if self._attempts == attempts:
                now = self._clock()
                if self._keys is None or self._should_fetch(now, force=force):
                    if force:
                        self._forced_at = now
                    await self._fetch()
        if self._keys is None:
            raise OidcError(f"JWKS unavailable: {self._error}")
        return self._keys

    def _should_fetch(self, now: float, *, force: bool) -> bool:
        interval = self.config.refresh_interval_seconds
        if force:
            return now - self._forced_at >= interval
        stale = now - self._fetched_at >= self.config.jwks_ttl_seconds
        return stale and (self._error is None or now - self._attempted_at >= interval)

    async def _fetch(self) -> None:
        try:
            keys = await self._download()
        except OidcError as exc:
            self._error = exc.reason
            if self._keys is not None:
                log.warning("OIDC keys not refreshed, keeping the cached ones: %s", exc.reason)
        else:
            self._keys, self._error = keys, None
            self._fetched_at = self._clock()
        # Not in a finally: a cancelled fetch is no outcome for the waiters to share.
        self._attempts += 1
        self._attempted_at = self._clock()

    async def _download(self) -> list[_Key]:
        if self._jwks_url is None:
            discovery = await self._get_json(self.config.discovery_url)
            if discovery.get("issuer") not in (None, self.config.issuer):
                raise OidcError(
                    f"discovery names issuer {discovery.get('issuer')!r}, "
                    f"not {self.config.issuer!r}"
                )
            jwks_uri = discovery.get("jwks_uri")
            if not isinstance(jwks_uri, str) or not jwks_uri:
                raise OidcError(f"{self.config.discovery_url} has no jwks_uri")
            self._jwks_url = jwks_uri
        document = await self._get_json(self._jwks_url)
        entries = document.get("keys")
        keys = [k for k in map(_Key.parse, entries if isinstance(entries, list) else []) if k]
        if not keys:
            raise OidcError(f"{self._jwks_url} publishes no usable signing key")
        return keys

    async def _get_json(self, url: str) -> dict[str, Any]:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.config.http_timeout_seconds)
        try:
            response = await self._client.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
            raise OidcError(f"{url}: {type(exc).__name__}: {exc}") from exc
        if not isinstance(document, dict):
            raise OidcError(f"{url} did not answer a JSON object")
        return document

    def _decode(self, token: str, key: Any, alg: str) -> dict[str, Any]:
        config = self.config
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[alg],
                audience=config.audience,
                issuer=config.issuer,
                leeway=config.leeway_seconds,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.InvalidSignatureError as exc:
            raise OidcError("bad signature") from exc
        except jwt.ExpiredSignatureError as exc:
            raise OidcError("the token has expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise OidcError("the token is not yet valid (nbf or iat in the future)") from exc
        except jwt.InvalidAudienceError as exc:
            raise OidcError(f"the token is not meant for audience {config.audience!r}") from exc
        except jwt.InvalidIssuerError as exc:
            raise OidcError(f"the token was not issued by {config.issuer!r}") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise OidcError(f"the token lacks the {exc.claim!r} claim") from exc
        except jwt.PyJWTError as exc:
            raise OidcError(f"malformed token ({exc})") from exc
        return claims

    def _principal(self, claims: dict[str, Any], token: str) -> Principal:
        config = self.config
        subject = _subject(claims, config.subject_claim)
        raw_roles = _strings(_claim(claims, config.roles_claim))
        groups = _strings(_claim(claims, config.groups_claim))
        roles = _pacbot_roles(raw_roles | groups, config.role_map)
        if not roles:
            raise OidcError(
                f"the token for {subject!r} grants no PacBot role (roles {_some(raw_roles)}, "
                f"groups {_some(groups)}); map one in the OIDC role map"
            )
        accounts: frozenset[str] | None = None
        if config.accounts_claim is not None:
            accounts = _strings(_claim(claims, config.accounts_claim))
            if UNSCOPED in accounts:
                accounts = None
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            jti = hashlib.sha256(token.encode()).hexdigest()[:16]
        return Principal(
            subject=subject, roles=roles, groups=groups, accounts=accounts, credential=f"oidc:{jti}"
        )


@dataclass(frozen=True)
class _Key:
    """One published signing key: its id, its JWK fields and the parsed public key."""

    kid: str | None
    jwk: Mapping[str, Any]
    public_key: Any

    @classmethod
    def parse(cls, jwk: object) -> _Key | None:
        """The key, or ``None`` for encryption, symmetric or unparseable entries."""
        if not isinstance(jwk, dict) or jwk.get("use", "sig") != "sig" or jwk.get("kty") == "oct":
            return None
        try:
            parsed = jwt.PyJWK(jwk)
        except (jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
            log.warning("OIDC: skipping unusable JWKS entry %r: %s", jwk.get("kid"), exc)
            return None
        kid = jwk.get("kid")
        return cls(kid if isinstance(kid, str) else None, jwk, parsed.key)

    def for_algorithm(self, alg: str) -> Any:
        """The public key, if this key may verify ``alg`` (its own family, curve and alg)."""
        declared, kty = self.jwk.get("alg"), self.jwk.get("kty")
        curve = _CURVES.get(alg)
        if (
            (declared is not None and declared != alg)
            or kty != _KEY_TYPES.get(alg[:2])
            or (curve is not None and self.jwk.get("crv") != curve)
        ):
            raise OidcError(f"key {self.kid!r} ({kty}, alg {declared}) cannot verify {alg}")
        return self.public_key


def _header(token: str) -> dict[str, Any]:
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise OidcError("malformed token (empty or too long)")
    try:
        return jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise OidcError(f"malformed token ({exc})") from exc


def _pick(keys: list[_Key], kid: str | None) -> _Key | None:
    if kid is None:
        if len(keys) > 1:
            raise OidcError("the token names no key (kid) and the issuer publishes several")
        return keys[0]
    return next((key for key in keys if key.kid == kid), None)


def _claim(claims: Mapping[str, Any], path: str) -> Any:
    """A claim by name, else by dotted path (``realm_access.roles``)."""
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _strings(value: Any) -> frozenset[str]:
    items: Iterable[Any] = [value] if isinstance(value, str) else value or ()
    if not isinstance(items, list | tuple | set | frozenset):
        return frozenset()
    return frozenset(item.strip() for item in items if isinstance(item, str) and item.strip())


def _subject(claims: Mapping[str, Any], name: str) -> str:
    """The configured claim, unless it is an unverified email; else ``sub``."""
    value = _claim(claims, name)
    unverified = name == "email" and claims.get("email_verified") is False
    if isinstance(value, str) and value.strip() and not unverified:
        return value.strip()
    sub = claims.get("sub")
    if isinstance(sub, str) and sub.strip():
        return sub.strip()
    raise OidcError(f"the token names no subject (neither {name!r} nor 'sub')")


def _pacbot_roles(values: frozenset[str], role_map: Mapping[str, Sequence[str]]) -> frozenset[str]:
    """PacBot roles by the map, plus values that already are PacBot roles; others ignored."""
    mapped = {role for value in values for role in role_map.get(value, ())}
    return frozenset(mapped | (values & set(ROLES)))


def _some(values: frozenset[str]) -> list[str]:
    return sorted(values)[:10]
