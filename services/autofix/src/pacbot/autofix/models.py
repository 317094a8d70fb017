"""Tables of the autofix service: fix plans (with their backups) plus the outbox and inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from pacbot.common.db import UtcDateTime, new_metadata
from pacbot.common.runtime import messaging_tables


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
