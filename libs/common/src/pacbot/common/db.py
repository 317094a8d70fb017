"""Async SQLAlchemy for PostgreSQL (a schema per service) and SQLite (a file per service)."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import DateTime, Dialect, MetaData, event, text
from sqlalchemy.engine.url import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.types import TypeDecorator

from pacbot.common.settings import ServiceSettings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def json_dumps(value: Any) -> str:
    """JSON columns' encoder: orjson (several times faster than ``json.dumps`` on the consumers'
    hot path, where every stored result carries its asset summary), keys as ``json`` writes
    them (non-string keys become strings)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


class UtcDateTime(TypeDecorator[datetime]):
    """Stores UTC and always reads back an aware datetime (SQLite drops the zone)."""

    impl = DateTime
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(timezone=True)

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        stamp: datetime = value
        return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


def new_metadata() -> MetaData:
    """A MetaData with the naming convention every service's models share."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def postgres_ssl(sslmode: str | None, rootcert: str | None) -> str | ssl.SSLContext | None:
    """asyncpg's ``ssl`` argument for a libpq-style sslmode: the weaker modes as asyncpg's own
    strings; with a root certificate, ``require`` verifies the chain like libpq does, and
    ``verify-full`` the host name too."""
    if sslmode is None:
        return None
    if sslmode in ("disable", "allow", "prefer") or (sslmode == "require" and not rootcert):
        return sslmode
    if sslmode not in ("require", "verify-ca", "verify-full"):
        raise ValueError(f"unknown PostgreSQL sslmode {sslmode!r}")
    context = ssl.create_default_context(cafile=rootcert)
    context.check_hostname = sslmode == "verify-full"
    return context


class Database:
    """An engine plus a session factory; sessions commit at the edge, services never commit."""

    def __init__(
        self,
        url: str,
        *,
        schema: str | None = None,
        echo: bool = False,
        password: str | None = None,
        sslmode: str | None = None,
        sslrootcert: str | None = None,
        pool_size: int = 5,
        max_overflow: int = 10,
    ) -> None:
        self.url = make_url(url)
        self.schema = schema if self.is_postgres else None
        kwargs: dict[str, Any] = {
            "echo": echo,
            "pool_pre_ping": True,
            "json_serializer": json_dumps,
            "json_deserializer": orjson.loads,
        }
        if self.is_postgres:
            if password:  # the URL may sit in a ConfigMap and the password in a Secret
                self.url = self.url.set(password=password)
            connect: dict[str, Any] = {}
            if schema:
                connect["server_settings"] = {"search_path": schema}
            tls = postgres_ssl(sslmode, sslrootcert)
            if tls is not None:
                connect["ssl"] = tls
            kwargs["connect_args"] = connect
            kwargs.update(pool_size=pool_size, max_overflow=max_overflow)
        if self.is_sqlite:
            database = self.url.database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 30}
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def for_service(cls, settings: ServiceSettings) -> Database:
        """A service's database: its URL, with password and TLS from PACBOT_POSTGRES_*."""
        infra = settings.infra
        password = infra.postgres_password
        return cls(
            settings.resolved_database_url(),
            schema=settings.db_schema,
            password=password.get_secret_value() if password else None,
            sslmode=infra.postgres_sslmode,
            sslrootcert=infra.postgres_sslrootcert,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
        )

    @property
    def is_postgres(self) -> bool:
        """True for a PostgreSQL URL."""
        return self.url.get_backend_name() == "postgresql"

    @property
    def is_sqlite(self) -> bool:
        """True for a SQLite URL."""
        return self.url.get_backend_name() == "sqlite"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A unit of work: commits when the block succeeds, rolls back when it raises."""
        async with self.sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def create_schema(self) -> None:
        """Create this service's PostgreSQL schema if it is missing.

        ``CREATE SCHEMA IF NOT EXISTS`` is not safe against itself: two replicas starting
        together can both find the schema missing, and the second then fails on the catalog's
        unique index. A transaction-scoped advisory lock per schema name makes them take turns.
        """
        if self.is_postgres and self.schema:
            async with self.engine.begin() as conn:
                await conn.execute(
                    text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                    {"key": f"pacbot.schema:{self.schema}"},
                )
                await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))

    async def ping(self) -> bool:
        """True when the database answers."""
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("select 1"))
        except Exception:
            return False
        return True

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
