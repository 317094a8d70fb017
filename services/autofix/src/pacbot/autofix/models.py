"""Tables of the autofix service: fix plans (with their backups) plus the outbox and inbox."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pacbot.common.db import new_metadata
from pacbot.common.runtime import messaging_tables
from sqlalchemy import JSON, Boolean, DateTime, Dialect, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


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


class Base(DeclarativeBase):
    """Declarative base over the service's own metadata."""

    metadata = new_metadata()


OUTBOX, INBOX = messaging_tables(Base.metadata)


class FixPlan(Base):
    """One planned fix of one violation: its timer, outcome and the configuration it replaced."""

    __tablename__ = "fix_plans"

    plan_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    violation_id: Mapped[str] = mapped_column(String(64), index=True)
    episode: Mapped[int] = mapped_column(Integer)
    asset_id: Mapped[str] = mapped_column(String(1024))
    asset_name: Mapped[str] = mapped_column(String(1024))
    resource_type: Mapped[str] = mapped_column(String(200))
    account_id: Mapped[str] = mapped_column(String(32))
    region: Mapped[str] = mapped_column(String(64))
    owner: Mapped[str | None] = mapped_column(String(320), nullable=True)
    policy_id: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(200))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), index=True)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    dry_run: Mapped[bool] = mapped_column(Boolean)
    notified_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    applied_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    detail: Mapped[str] = mapped_column(Text)
    backup: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
