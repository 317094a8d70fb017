"""Tables of the exceptions service: exceptions, their policies and history, notifications,
outbox and inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from pacbot.common.db import UtcDateTime, new_metadata
from pacbot.common.notify import notification_tables
from pacbot.common.runtime import messaging_tables


class Base(DeclarativeBase):
    """Declarative base over the service's own metadata."""

    metadata = new_metadata()


OUTBOX, INBOX = messaging_tables(Base.metadata)
NOTIFICATIONS = notification_tables(Base.metadata)


class PolicyException(Base):
    """A time-boxed permission for some assets to fail some policies.

    ``status``: pending → active | rejected | revoked | expired; active → revoked | expired.
    """

    __tablename__ = "exceptions"

    exception_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    asset_ids: Mapped[list[str]] = mapped_column(JSON)
    policy_ids: Mapped[list[str]] = mapped_column(JSON)
    criteria: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    requester: Mapped[str] = mapped_column(String(320), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    approver: Mapped[str | None] = mapped_column(String(320), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    revoke_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    expiring_soon_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class ExceptionPolicy(Base):
    """One policy an exception names (``*`` = every policy), so lists filter by policy in SQL."""

    __tablename__ = "exception_policies"

    exception_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("exceptions.exception_id", ondelete="CASCADE"), primary_key=True
    )
    policy_id: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)


class ExceptionHistory(Base):
    """What happened to an exception, by whom: requested, approved, rejected, revoked, ..."""

    __tablename__ = "exception_history"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    exception_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("exceptions.exception_id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    action: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str | None] = mapped_column(String(320), nullable=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
