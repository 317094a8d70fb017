"""Inventory's tables: onboarded accounts, current asset state, and the record of every sweep."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from pacbot.common.db import UtcDateTime, new_metadata
from pacbot.common.runtime import messaging_tables
from pacbot.common.search import search_table


class Base(DeclarativeBase):
    """Declarative base over the shared naming convention."""

    metadata = new_metadata()


OUTBOX, INBOX = messaging_tables(Base.metadata)
SEARCH_TABLE = search_table(Base.metadata)


class Account(Base):
    """An AWS account onboarded for discovery."""

    __tablename__ = "accounts"

    account_id: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role_arn: Mapped[str | None] = mapped_column(String(2048))
    external_id: Mapped[str | None] = mapped_column(String(1224))
    regions: Mapped[list[str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    status: Mapped[str] = mapped_column(String(16), default="unknown", server_default="unknown")
    validation_error: Mapped[str | None] = mapped_column(Text)
    validated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    source: Mapped[str] = mapped_column(String(16), default="manual", server_default="manual")


class Asset(Base):
    """The current state of one discovered resource; ``version`` bumps on every change."""

    __tablename__ = "assets"
    __table_args__ = (Index("ix_assets_scope", "account_id", "resource_type", "region"),)

    asset_id: Mapped[str] = mapped_column(String(512), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(32))
    resource_type: Mapped[str] = mapped_column(String(128), index=True)
    name: Mapped[str] = mapped_column(String(1024))
    tags: Mapped[dict[str, str]] = mapped_column(JSON)
    owner: Mapped[str | None] = mapped_column(String(512))
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    config_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AssetChange(Base):
    """One entry of an asset's bounded change history: what changed, and when."""

    __tablename__ = "asset_changes"
    __table_args__ = (Index("ix_asset_changes_asset", "asset_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    asset_id: Mapped[str] = mapped_column(String(512))
    version: Mapped[int] = mapped_column(Integer)
    change_type: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class AssetGroup(Base):
    """Named criteria over assets (accounts, regions, types, tags) for dashboards and exceptions."""

    __tablename__ = "asset_groups"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    description: Mapped[str] = mapped_column(Text, default="")
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Sweep(Base):
    """One discovery pass over (account, region, resource type) and how it ended."""

    __tablename__ = "sweeps"
    __table_args__ = (
        Index("ix_sweeps_key", "account_id", "region", "resource_type", "started_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12), index=True)
    region: Mapped[str] = mapped_column(String(32))
    resource_type: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    seen: Mapped[int] = mapped_column(Integer, default=0)
    upserted: Mapped[int] = mapped_column(Integer, default=0)
    deleted: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
