"""API keys: ``pbk_<key id>_<secret>``, shown once, kept as a SHA-256 of the secret.

The secret is 256 random bits, so a plain SHA-256 is enough (no password stretching needed) and
lookups stay one indexed read. A key is bound to roles, optional groups and an optional scope
(accounts, asset groups), always expires, can be revoked, and is rotated by issuing a successor.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.auth import Principal
from pacbot.common.auth._principal import role_set
from pacbot.common.db import Database
from pacbot.common.events import utcnow
from pacbot.common.web import Conflict, DomainError, NotFound
from pacbot.gateway.models import ApiKey

PREFIX = "pbk_"
TOUCH_EVERY = timedelta(seconds=60)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class KeySpec:
    """What a new key may do and for how long."""

    name: str
    roles: frozenset[str]
    subject: str | None = None
    groups: frozenset[str] = frozenset()
    accounts: frozenset[str] | None = None
    asset_groups: frozenset[str] | None = None
    expires_in_days: float = 90

    @classmethod
    def of(
        cls,
        roles: Iterable[str],
        *,
        name: str | None = None,
        subject: str | None = None,
        groups: Iterable[str] = (),
        accounts: Iterable[str] | None = None,
        asset_groups: Iterable[str] | None = None,
        expires_in_days: float = 90,
    ) -> KeySpec:
        """A spec from plain values; the name defaults to the subject, else the roles."""
        roles = frozenset(roles)
        return cls(
            name=name or subject or "-".join(sorted(roles)),
            roles=roles,
            subject=subject,
            groups=frozenset(groups),
            accounts=None if accounts is None else frozenset(accounts),
            asset_groups=None if asset_groups is None else frozenset(asset_groups),
            expires_in_days=expires_in_days,
        )


@dataclass(frozen=True)
class IssuedKey:
    """A key just made: the only moment its full token exists."""

    record: ApiKey
    token: str


def parse_token(token: str) -> tuple[str, str] | None:
    """``(key id, secret)`` of a well-formed key token, else ``None``."""
    if not token.startswith(PREFIX):
        return None
    key_id, sep, secret = token[len(PREFIX) :].partition("_")
    if not sep or not key_id or not secret or len(key_id) > 32:
        return None
    return key_id, secret


def principal_of_key(key: ApiKey) -> Principal:
    """The principal a key acts as."""
    return Principal(
        subject=key.subject,
        roles=frozenset(key.roles),
        groups=frozenset(key.groups or ()),
        accounts=None if key.accounts is None else frozenset(key.accounts),
        asset_groups=None if key.asset_groups is None else frozenset(key.asset_groups),
        credential=f"key:{key.key_id}",
    )


def _within(creator: Principal, spec: KeySpec) -> None:
    """A scoped creator cannot hand out a key that sees more than it does."""
    for field, mine, theirs in (
        ("accounts", creator.accounts, spec.accounts),
        ("asset_groups", creator.asset_groups, spec.asset_groups),
    ):
        if mine is not None and (theirs is None or not theirs <= mine):
            raise DomainError(
                f"{creator.subject} is scoped to {field} {sorted(mine)}; a key it creates must "
                "be scoped to some of them",
                field=field,
                status_code=403,
            )


async def issue(
    session: AsyncSession,
    spec: KeySpec,
    *,
    created_by: Principal,
    max_days: int,
    now: datetime | None = None,
) -> IssuedKey:
    """Create a key and return its token (the only time it is shown)."""
    now = now or utcnow()
    try:
        roles = role_set(spec.roles)
    except ValueError as exc:
        raise DomainError(str(exc), field="roles", status_code=422) from exc
    if not roles:
        raise DomainError("a key needs at least one role", field="roles", status_code=422)
    if not 0 < spec.expires_in_days <= max_days:
        raise DomainError(
            f"expires_in_days must be more than 0 and at most {max_days}",
            field="expires_in_days",
            status_code=422,
        )
    _within(created_by, spec)
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    record = ApiKey(
        key_id=key_id,
        name=spec.name,
        subject=spec.subject or spec.name,
        secret_hash=_digest(secret),
        roles=sorted(roles),
        groups=sorted(spec.groups),
        accounts=None if spec.accounts is None else sorted(spec.accounts),
        asset_groups=None if spec.asset_groups is None else sorted(spec.asset_groups),
        created_by=created_by.subject,
        created_at=now,
        expires_at=now + timedelta(days=spec.expires_in_days),
        last_used_at=None,
    )
    session.add(record)
    await session.flush()
    return IssuedKey(record, f"{PREFIX}{key_id}_{secret}")


def usable(key: ApiKey, now: datetime) -> str | None:
    """Why ``key`` cannot be used now, or ``None``."""
    if key.revoked_at is not None:
        return "the API key has been revoked"
    if _aware(key.expires_at) <= now:
        return "the API key has expired"
    return None


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored one is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


async def verify(session: AsyncSession, token: str, now: datetime) -> tuple[ApiKey | None, str]:
    """The key behind ``token`` when it is valid (recording its use), else why not."""
    parsed = parse_token(token)
    if parsed is None:
        return None, "the API key is malformed"
    key_id, secret = parsed
    key = await session.get(ApiKey, key_id)
    if key is None or not hmac.compare_digest(key.secret_hash, _digest(secret)):
        return None, "the API key is not valid"
    why = usable(key, now)
    if why:
        return None, why
    if key.last_used_at is None or _aware(key.last_used_at) < now - TOUCH_EVERY:
        await session.execute(
            update(ApiKey).where(ApiKey.key_id == key_id).values(last_used_at=now)
        )
        key.last_used_at = now
    return key, ""


async def find(session: AsyncSession, key_id: str) -> ApiKey:
    """One key by id, 404 when unknown."""
    key = await session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"API key {key_id} not found", field="key_id")
    return key


async def listing(session: AsyncSession, *, include_revoked: bool) -> list[ApiKey]:
    """Keys, newest first."""
    query = select(ApiKey).order_by(ApiKey.created_at.desc(), ApiKey.key_id)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    return list((await session.scalars(query)).all())


async def revoke(session: AsyncSession, key_id: str, *, by: str, now: datetime) -> ApiKey:
    """Revoke a key now; revoking twice is a conflict."""
    key = await find(session, key_id)
    if key.revoked_at is not None:
        raise Conflict(f"API key {key_id} is already revoked", field="key_id")
    key.revoked_at = now
    key.revoked_by = by
    return key


async def rotate(
    session: AsyncSession,
    key_id: str,
    *,
    by: Principal,
    max_days: int,
    overlap_seconds: float,
    now: datetime,
) -> IssuedKey:
    """Issue a successor with the same rights; the old key ends after ``overlap_seconds``."""
    old = await find(session, key_id)
    why = usable(old, now)
    if why:
        raise Conflict(f"API key {key_id} cannot be rotated: {why}", field="key_id")
    lifetime = (_aware(old.expires_at) - _aware(old.created_at)).total_seconds() / 86400
    spec = KeySpec(
        name=old.name,
        roles=frozenset(old.roles),
        subject=old.subject,
        groups=frozenset(old.groups or ()),
        accounts=None if old.accounts is None else frozenset(old.accounts),
        asset_groups=None if old.asset_groups is None else frozenset(old.asset_groups),
        expires_in_days=min(lifetime, max_days),
    )
    issued = await issue(session, spec, created_by=by, max_days=max_days, now=now)
    old.rotated_to = issued.record.key_id
    old.expires_at = min(_aware(old.expires_at), now + timedelta(seconds=overlap_seconds))
    if overlap_seconds <= 0:
        old.revoked_at = now
        old.revoked_by = by.subject
    return issued


OPERATOR = Principal("operator:cli", frozenset({"admin"}), credential="cli")


async def issue_direct(db: Database, spec: KeySpec, *, max_days: int = 365) -> str:
    """Issue a key straight into the gateway's database as the local operator (bootstrap)."""
    async with db.session() as session:
        issued = await issue(session, spec, created_by=OPERATOR, max_days=max_days)
    return issued.token
