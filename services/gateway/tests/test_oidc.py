"""OIDC bearer tokens against a real issuer on loopback: keys, claims, rotation and refusals."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from pacbot.gateway.auth.oidc import OidcConfig, OidcError, OidcVerifier

AUDIENCE = "pacbot-api"
ROLE_MAP = {"sec-team": ["security"], "platform": ["owner", "viewer"]}


def _rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Issuer:
    """A live issuer on 127.0.0.1: publishes JWKS and discovery, counts requests, signs tokens."""

    url: str = ""
    keys: dict[str, Any] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    status: int = 200
    delay: float = 0.0
    discovery_issuer: str | None = None

    def publish(self, **keys: Any) -> None:
        """Serve exactly these keys (kid -> private key) from the JWKS endpoint."""
        self.keys = keys

    def jwks(self) -> dict[str, Any]:
        entries = []
        for kid, key in self.keys.items():
            encoder = RSAAlgorithm if isinstance(key, rsa.RSAPrivateKey) else ECAlgorithm
            entries.append({**encoder.to_jwk(key.public_key(), as_dict=True), "kid": kid})
        return {"keys": entries}

    def discovery(self) -> dict[str, Any]:
        return {"issuer": self.discovery_issuer or self.url, "jwks_uri": f"{self.url}/jwks"}

    def token(
        self,
        kid: str | None = "rsa-1",
        *,
        key: Any = None,
        alg: str = "RS256",
        **claims: Any,
    ) -> str:
        """A token signed by the published key ``kid`` (or ``key``), with sensible claims."""
        now = int(time.time())
        payload = {
            "iss": self.url,
            "aud": AUDIENCE,
            "sub": "u-123",
            "email": "ana@example.com",
            "iat": now,
            "exp": now + 300,
            "jti": "tok-1",
            "roles": ["viewer"],
            "groups": ["sec-team", "eng"],
            **claims,
        }
        payload = {name: value for name, value in payload.items() if value is not None}
        headers = {"kid": kid} if kid else {}
        return jwt.encode(payload, key or self.keys[kid or ""], algorithm=alg, headers=headers)


def _serve(issuer: Issuer) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            issuer.hits[self.path] += 1
            time.sleep(issuer.delay)
            routes = {"/jwks": issuer.jwks, "/.well-known/openid-configuration": issuer.discovery}
            body = json.dumps(routes[self.path]()).encode() if self.path in routes else b"{}"
            status = issuer.status if self.path in routes else 404
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    return ThreadingHTTPServer(("127.0.0.1", 0), Handler)


@pytest.fixture(scope="module")
def signing_keys() -> dict[str, Any]:
    return {"rsa-1": _rsa(), "rsa-2": _rsa(), "ec-1": ec.generate_private_key(ec.SECP256R1())}


@pytest.fixture
def issuer(signing_keys: dict[str, Any]) -> Iterator[Issuer]:
    server = _serve(issuer := Issuer())
    issuer.url = f"http://127.0.0.1:{server.server_address[1]}"
    issuer.publish(**{kid: signing_keys[kid] for kid in ("rsa-1", "ec-1")})
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield issuer
    server.shutdown()
    server.server_close()


class Clock:
    """The verifier's cache clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


Make = Callable[..., OidcVerifier]


@pytest.fixture
async def make(issuer: Issuer, clock: Clock) -> AsyncIterator[Make]:
    built: list[OidcVerifier] = []

    def build(**overrides: Any) -> OidcVerifier:
        settings: dict[str, Any] = {
            "issuer": issuer.url,
            "audience": AUDIENCE,
            "jwks_url": f"{issuer.url}/jwks",
            "role_map": ROLE_MAP,
            **overrides,
        }
        built.append(OidcVerifier(OidcConfig(**settings), clock=clock))
        return built[-1]

    yield build
    for verifier in built:
        await verifier.aclose()


async def refused(verifier: OidcVerifier, token: str) -> str:
    with pytest.raises(OidcError) as caught:
        await verifier.verify(token)
    return caught.value.reason


def _closed_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _forge(header: dict[str, Any], payload: dict[str, Any], sign: Callable[[bytes], bytes]) -> str:
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
    return f"{signing_input}.{_b64(sign(signing_input.encode()))}"


async def test_a_valid_token_becomes_a_principal_with_mapped_roles(
    issuer: Issuer, make: Make
) -> None:
    token = issuer.token(roles=["viewer", "no-such-role"], groups=["sec-team", "eng"])
    principal = await make().verify(token)
    assert principal.subject == "ana@example.com"
    assert principal.roles == {"viewer", "security"}
    assert principal.groups == {"sec-team", "eng"}
    assert principal.accounts is None
    assert principal.credential == "oidc:tok-1"


async def test_an_es256_token_without_jti_is_credited_to_a_hash_of_itself(
    issuer: Issuer, make: Make
) -> None:
    token = issuer.token("ec-1", alg="ES256", jti=None, roles=["admin"])
    principal = await make().verify(token)
    assert principal.roles == {"admin", "security"}
    assert principal.credential == "oidc:" + hashlib.sha256(token.encode()).hexdigest()[:16]


async def test_expiry_allows_the_leeway_and_no_more(issuer: Issuer, make: Make) -> None:
    verifier = make(leeway_seconds=60)
    now = int(time.time())
    assert (await verifier.verify(issuer.token(iat=now - 600, exp=now - 30))).subject
    assert await refused(verifier, issuer.token(iat=now - 600, exp=now - 120)) == (
        "the token has expired"
    )


async def test_a_token_from_the_future_is_not_yet_valid(issuer: Issuer, make: Make) -> None:
    token = issuer.token(nbf=int(time.time()) + 600)
    assert "not yet valid" in await refused(make(), token)


async def test_the_audience_and_issuer_must_match(issuer: Issuer, make: Make) -> None:
    verifier = make()
    assert await refused(verifier, issuer.token(aud="another-app")) == (
        f"the token is not meant for audience {AUDIENCE!r}"
    )
    assert await refused(verifier, issuer.token(iss="https://evil.example")) == (
        f"the token was not issued by {issuer.url!r}"
    )
    assert await refused(verifier, issuer.token(exp=None)) == "the token lacks the 'exp' claim"


async def test_a_token_signed_by_another_key_has_a_bad_signature(
    issuer: Issuer, make: Make
) -> None:
    assert await refused(make(), issuer.token(key=_rsa())) == "bad signature"


async def test_an_unknown_kid_is_refused_after_one_refresh(issuer: Issuer, make: Make) -> None:
    verifier = make()
    await verifier.verify(issuer.token())
    reason = await refused(verifier, issuer.token("stranger", key=_rsa()))
    assert reason == "unknown signing key 'stranger': the issuer does not publish it"
    assert issuer.hits["/jwks"] == 2


async def test_a_rotated_key_is_picked_up_and_forced_refreshes_are_rate_limited(
    issuer: Issuer, make: Make, clock: Clock, signing_keys: dict[str, Any]
) -> None:
    verifier = make(refresh_interval_seconds=30)
    await verifier.verify(issuer.token())
    issuer.publish(**signing_keys)
    assert (await verifier.verify(issuer.token("rsa-2"))).subject == "ana@example.com"
    assert issuer.hits["/jwks"] == 2
    for n in range(5):
        assert "unknown signing key" in await refused(verifier, issuer.token(f"r{n}", key=_rsa()))
    assert issuer.hits["/jwks"] == 2
    clock.now += 31
    assert "unknown signing key" in await refused(verifier, issuer.token("r9", key=_rsa()))
    assert issuer.hits["/jwks"] == 3


async def test_keys_are_cached_until_their_ttl_then_refetched(
    issuer: Issuer, make: Make, clock: Clock, signing_keys: dict[str, Any]
) -> None:
    verifier = make(jwks_ttl_seconds=600)
    token = issuer.token()
    await verifier.verify(token)
    clock.now += 599
    await verifier.verify(token)
    assert issuer.hits["/jwks"] == 1
    issuer.publish(**{"rsa-2": signing_keys["rsa-2"]})
    clock.now += 2
    assert "unknown signing key 'rsa-1'" in await refused(verifier, token)
    assert issuer.hits["/jwks"] == 2


async def test_concurrent_verifications_share_one_fetch_even_a_failing_one(
    issuer: Issuer, make: Make
) -> None:
    issuer.delay = 0.2
    verifier = make()
    principals = await asyncio.gather(*(verifier.verify(issuer.token()) for _ in range(20)))
    assert {p.subject for p in principals} == {"ana@example.com"}
    assert issuer.hits["/jwks"] == 1
    issuer.status = 503
    failing = make()
    outcomes = await asyncio.gather(
        *(failing.verify(issuer.token()) for _ in range(20)), return_exceptions=True
    )
    assert all(isinstance(outcome, OidcError) for outcome in outcomes)
    assert issuer.hits["/jwks"] == 2


async def test_unsigned_and_hmac_confusion_tokens_are_refused(
    issuer: Issuer, make: Make, signing_keys: dict[str, Any]
) -> None:
    verifier = make()
    claims = jwt.decode(issuer.token(), options={"verify_signature": False})
    unsigned = _forge({"alg": "none", "kid": "rsa-1"}, claims, lambda _: b"")
    assert await refused(verifier, unsigned) == "unsigned tokens (alg: none) are refused"
    pem = (
        signing_keys["rsa-1"]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    confused = _forge(
        {"alg": "HS256", "typ": "JWT", "kid": "rsa-1"},
        claims,
        lambda signing_input: hmac.new(pem, signing_input, hashlib.sha256).digest(),
    )
    assert await refused(verifier, confused) == (
        "algorithm HS256 is not allowed (allowed: ('RS256', 'ES256'))"
    )
    with pytest.raises(ValueError, match="must be asymmetric"):
        OidcConfig(issuer=issuer.url, audience=AUDIENCE, algorithms=("RS256", "HS256"))


async def test_a_key_verifies_only_its_own_algorithm_family(issuer: Issuer, make: Make) -> None:
    token = issuer.token("ec-1", key=issuer.keys["rsa-1"], alg="RS256")
    assert await refused(make(), token) == "key 'ec-1' (EC, alg None) cannot verify RS256"


async def test_a_missing_kid_is_refused_when_the_issuer_has_several_keys(
    issuer: Issuer, make: Make, signing_keys: dict[str, Any]
) -> None:
    token = issuer.token(None, key=signing_keys["rsa-1"])
    assert await refused(make(), token) == (
        "the token names no key (kid) and the issuer publishes several"
    )
    issuer.publish(**{"rsa-1": signing_keys["rsa-1"]})
    assert (await make().verify(token)).roles == {"viewer", "security"}


@pytest.mark.parametrize("garbage", ["", "garbage", "a.b.c", "x" * 20_000])
async def test_garbage_is_a_malformed_token(make: Make, garbage: str) -> None:
    assert (await refused(make(), garbage)).startswith("malformed token")


async def test_a_token_granting_no_pacbot_role_is_refused(issuer: Issuer, make: Make) -> None:
    token = issuer.token(roles=["reader"], groups=["eng"])
    reason = await refused(make(), token)
    assert reason == (
        "the token for 'ana@example.com' grants no PacBot role (roles ['reader'], "
        "groups ['eng']); map one in the OIDC role map"
    )


async def test_a_nested_roles_claim_is_read_by_its_dotted_path(issuer: Issuer, make: Make) -> None:
    token = issuer.token(roles=None, groups=None, realm_access={"roles": ["platform", "x"]})
    principal = await make(roles_claim="realm_access.roles").verify(token)
    assert principal.roles == {"owner", "viewer"}
    assert principal.groups == frozenset()


async def test_the_subject_falls_back_to_sub_when_email_is_absent_or_unverified(
    issuer: Issuer, make: Make
) -> None:
    verifier = make()
    assert (await verifier.verify(issuer.token(email=None))).subject == "u-123"
    assert (await verifier.verify(issuer.token(email_verified=False))).subject == "u-123"


async def test_the_accounts_claim_scopes_the_principal(issuer: Issuer, make: Make) -> None:
    verifier = make(accounts_claim="aws_accounts")
    scoped = await verifier.verify(issuer.token(aws_accounts=["111111111111", "222222222222"]))
    assert scoped.accounts == frozenset({"111111111111", "222222222222"})
    assert (await verifier.verify(issuer.token())).accounts == frozenset()
    assert (await verifier.verify(issuer.token(aws_accounts=["*"]))).accounts is None


async def test_keys_are_discovered_from_the_well_known_document(issuer: Issuer, make: Make) -> None:
    principal = await make(jwks_url=None).verify(issuer.token())
    assert principal.subject == "ana@example.com"
    assert issuer.hits == {"/.well-known/openid-configuration": 1, "/jwks": 1}


async def test_discovery_naming_another_issuer_is_refused(issuer: Issuer, make: Make) -> None:
    issuer.discovery_issuer = "https://evil.example"
    reason = await refused(make(jwks_url=None), issuer.token())
    assert reason == (
        f"JWKS unavailable: discovery names issuer 'https://evil.example', not {issuer.url!r}"
    )


async def test_an_unreachable_or_failing_jwks_is_an_oidc_error(issuer: Issuer, make: Make) -> None:
    port = _closed_port()
    reason = await refused(make(jwks_url=f"http://127.0.0.1:{port}/jwks"), issuer.token())
    assert reason.startswith(f"JWKS unavailable: http://127.0.0.1:{port}/jwks: ConnectError")
    issuer.status = 503
    reason = await refused(make(), issuer.token())
    assert reason.startswith(f"JWKS unavailable: {issuer.url}/jwks: HTTPStatusError")


async def test_cached_keys_outlive_an_outage_with_retries_spaced_out(
    issuer: Issuer, make: Make, clock: Clock
) -> None:
    verifier = make(jwks_ttl_seconds=600, refresh_interval_seconds=30)
    token = issuer.token()
    await verifier.verify(token)
    issuer.status = 500
    clock.now += 601
    assert (await verifier.verify(token)).subject == "ana@example.com"
    assert (await verifier.verify(token)).subject == "ana@example.com"
    assert issuer.hits["/jwks"] == 2
    issuer.status = 200
    clock.now += 31
    await verifier.verify(token)
    assert issuer.hits["/jwks"] == 3
