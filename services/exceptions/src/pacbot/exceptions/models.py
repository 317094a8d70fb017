"""Tables of the exceptions service: granted exceptions plus the outbox and inbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from pacbot.common.db import UtcDateTime, new_metadata
from pacbot.common.runtime import messaging_tables


class Base(DeclarativeBase):
    """Declarative base over the service's own metadata."""

    metadata = new_metadata()


OUTBOX, INBOX = messaging_tables(Base.metadata)


class PolicyException(Base):
    """A time-boxed permission for some assets to fail some policies."""

    __tablename__ = "exceptions"

    exception_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    asset_ids: Mapped[list[str]] = mapped_column(JSON)
    policy_ids: Mapped[list[str]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    requester: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(20), index=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    revoke_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
