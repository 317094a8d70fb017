"""Change events from outside PacBot must be signed: HMAC-SHA256 of the body, shared secret.

A peer service (its own internal token) needs no signature; anything forwarded by the gateway on
behalf of a key or user must carry ``X-PacBot-Signature: sha256=<hex>`` made with
``PACBOT_INVENTORY_EVENTS_SECRET``, so a leaked admin key alone cannot inject events.
"""

from __future__ import annotations

import hashlib
import hmac

from pacbot.common.auth import Principal
from pacbot.common.web import DomainError

SIGNATURE_HEADER = "X-PacBot-Signature"


class UnsignedEvent(DomainError):
    """A change event from outside without a valid signature (or no secret to check one)."""

    status_code = 401


def sign(secret: str, body: bytes) -> str:
    """The signature header value for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def check_signature(
    caller: Principal, secret: str | None, body: bytes, signature: str | None
) -> None:
    """403 unless the caller is a peer service or the body is signed with the shared secret."""
    if caller.is_service:
        return
    if not secret:
        raise UnsignedEvent(
            "change events from outside need a shared secret: set PACBOT_INVENTORY_EVENTS_SECRET",
            field=SIGNATURE_HEADER,
            status_code=403,
        )
    if not signature:
        raise UnsignedEvent(
            f"the {SIGNATURE_HEADER} header is missing (sha256=<HMAC of the body>)",
            field=SIGNATURE_HEADER,
        )
    if not hmac.compare_digest(signature.strip(), sign(secret, body)):
        raise DomainError(
            f"the {SIGNATURE_HEADER} does not match the body",
            field=SIGNATURE_HEADER,
            status_code=401,
        )
