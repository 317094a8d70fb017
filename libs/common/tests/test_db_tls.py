"""PostgreSQL connection settings: the password from its own setting, and libpq-style sslmode
wired into asyncpg (tried against the dev stack's server, which speaks no TLS)."""

from __future__ import annotations

import ssl

import pytest
from sqlalchemy import text

from pacbot.cli.devstack import StackInfo
from pacbot.common.db import Database, postgres_ssl
from pacbot.common.settings import ServiceSettings

SECRET = "pw-from-a-secret-7f3a"


def test_sslmodes_map_to_asyncpg() -> None:
    assert postgres_ssl(None, None) is None
    for mode in ("disable", "allow", "prefer", "require"):
        assert postgres_ssl(mode, None) == mode
    full = postgres_ssl("verify-full", None)
    assert isinstance(full, ssl.SSLContext)
    assert full.check_hostname
    assert full.verify_mode == ssl.CERT_REQUIRED
    ca = postgres_ssl("verify-ca", None)
    assert isinstance(ca, ssl.SSLContext)
    assert not ca.check_hostname
    assert ca.verify_mode == ssl.CERT_REQUIRED
    with pytest.raises(ValueError, match="sslmode"):
        postgres_ssl("sometimes", None)


def test_the_password_setting_replaces_the_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACBOT_POSTGRES_URL", "postgresql+asyncpg://pacbot:old@db:5432/pacbot")
    monkeypatch.setenv("PACBOT_POSTGRES_PASSWORD", SECRET)
    monkeypatch.setenv("PACBOT_POSTGRES_SSLMODE", "require")
    settings = ServiceSettings()
    assert SECRET not in repr(settings)
    db = Database.for_service(settings)
    assert db.url.password == SECRET
    assert SECRET not in repr(db.url)
    assert SECRET not in str(db.url)


@pytest.mark.real
@pytest.mark.parametrize("mode", ["disable", "prefer"])
async def test_a_server_without_tls_serves_disable_and_prefer(stack: StackInfo, mode: str) -> None:
    db = Database(stack.postgres_url, sslmode=mode, password="ignored-by-trust-auth")
    try:
        async with db.engine.connect() as conn:  # connected, and without TLS (the server has none)
            encrypted = await conn.scalar(
                text("select ssl from pg_stat_ssl where pid = pg_backend_pid()")
            )
            assert encrypted is False
    finally:
        await db.dispose()


@pytest.mark.real
async def test_require_refuses_a_server_without_tls(stack: StackInfo) -> None:
    db = Database(stack.postgres_url, sslmode="require")
    try:
        with pytest.raises(ConnectionError, match="SSL"):
            async with db.engine.connect() as conn:
                await conn.execute(text("select 1"))
    finally:
        await db.dispose()
