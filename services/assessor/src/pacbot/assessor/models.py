"""The assessor's tables: the policy registry and the last evaluated version of each asset."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from pacbot.common.db import new_metadata
from pacbot.common.runtime import messaging_tables


class Base(DeclarativeBase):
    """Declarative base over the assessor's own metadata."""

    metadata = new_metadata()


OUTBOX, INBOX = messaging_tables(Base.metadata)


class PolicyState(Base):
    """Operator-controlled state of one policy; the YAML gives the defaults."""

    __tablename__ = "policy_registry"

    policy_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False)
    param_overrides: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    content_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """sha256 of the policy document last deployed; a different one means the pack changed it."""


class PolicyChange(Base):
    """One operator change to a policy's registry state: who, when, why, before and after."""

    __tablename__ = "policy_change"
    __table_args__ = (UniqueConstraint("policy_id", "revision"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    policy_id: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    changed_by: Mapped[str] = mapped_column(String(200), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)


class AssetCursor(Base):
    """The highest asset version already evaluated, so stale deliveries are skipped."""

    __tablename__ = "asset_cursor"

    asset_id: Mapped[str] = mapped_column(String(1024), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    evaluated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
