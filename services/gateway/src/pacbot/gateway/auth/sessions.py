"""Browser sessions for the dashboard: an API key exchanged for an HttpOnly, SameSite cookie.

The cookie holds a random session id and a second, readable cookie holds the CSRF token; only
their SHA-256 digests are stored. Every mutating call made with the session cookie must echo the
CSRF token in ``X-CSRF-Token`` (double submit, checked against the stored digest). The session
re-reads its key on every call, so revoking the key ends the session too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.events import utcnow
from pacbot.gateway.auth.keys import _aware
from pacbot.gateway.models import ApiKey, BrowserSession

SESSION_COOKIE = "pacbot_session"
CSRF_COOKIE = "pacbot_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class OpenedSession:
    """A new session's cookie value and CSRF token (shown once)."""

    session_id: str
    csrf_token: str
    expires_at: datetime


async def open_session(
    session: AsyncSession, key: ApiKey, *, hours: float, now: datetime | None = None
) -> OpenedSession:
    """Start a session for ``key``; it ends at the key's expiry at the latest."""
    now = now or utcnow()
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = min(now + timedelta(hours=hours), _aware(key.expires_at))
    session.add(
        BrowserSession(
            session_hash=_digest(session_id),
            csrf_hash=_digest(csrf),
            key_id=key.key_id,
            created_at=now,
            expires_at=expires,
        )
    )
    await session.flush()
    return OpenedSession(session_id, csrf, expires)


async def resolve(
    session: AsyncSession, session_id: str, *, method: str, csrf: str | None, now: datetime
) -> tuple[str | None, str]:
    """The key id of a live session (CSRF checked for mutating calls), else why not."""
    row = await session.get(BrowserSession, _digest(session_id))
    if row is None or _aware(row.expires_at) <= now:
        return None, "the session has ended; sign in again"
    if method not in SAFE_METHODS and not (
        csrf and hmac.compare_digest(row.csrf_hash, _digest(csrf))
    ):
        return None, f"a call that changes something needs the session's {CSRF_HEADER} header"
    return row.key_id, ""


async def close_session(session: AsyncSession, session_id: str) -> None:
    """End a session (sign out)."""
    await session.execute(
        delete(BrowserSession).where(BrowserSession.session_hash == _digest(session_id))
    )
