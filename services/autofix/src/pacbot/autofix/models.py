"""Tables of the autofix service: fix plans (with their backups and history), policy pauses,
notifications, plus the outbox and inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from pacbot.common.db import UtcDateTime, new_metadata
from pacbot.common.notify import notification_tables
from pacbot.common.runtime import messaging_tables


class Base(DeclarativeBase):
    """Declarative base over the service's own metadata."""

    metadata = new_metadata()


OUTBOX, INBOX = messaging_tables(Base.metadata)
NOTIFICATIONS = notification_tables(Base.metadata)


class FixPlan(Base):
    """One planned fix (or rollback) of one violation: its timer, outcome and the configuration
    it replaced.

    ``status``: ``notifying`` (waiting for a delivered notice before the grace period starts),
    ``waiting`` (grace period running, ``due_at`` set), ``held`` (nobody could be reached),
    ``paused`` (the policy's blast-radius cap tripped), ``running`` (claimed by a replica until
    ``lease_until``; ``phase`` says how far it got), then ``applied``, ``dry_run``, ``skipped``,
    ``failed``, ``cancelled`` or ``rolled_back`` (an applied fix whose backup was restored).
    """

    __tablename__ = "fix_plans"

    plan_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="fix")
    rollback_of: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    trigger: Mapped[str] = mapped_column(String(16), default="event")
    requested_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    violation_id: Mapped[str] = mapped_column(String(64), index=True)
    episode: Mapped[int] = mapped_column(Integer)
    asset_id: Mapped[str] = mapped_column(String(1024))
    asset_name: Mapped[str] = mapped_column(String(1024))
    resource_type: Mapped[str] = mapped_column(String(200))
    account_id: Mapped[str] = mapped_column(String(32), index=True)
    region: Mapped[str] = mapped_column(String(64))
    owner: Mapped[str | None] = mapped_column(String(320), nullable=True)
    tags: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    policy_id: Mapped[str] = mapped_column(String(200), index=True)
    action: Mapped[str] = mapped_column(String(200))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), index=True)
    phase: Mapped[str | None] = mapped_column(String(20), nullable=True)
    immediate: Mapped[bool] = mapped_column(Boolean, default=False)
    grace_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    dry_run: Mapped[bool] = mapped_column(Boolean)
    notified_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    next_reminder_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    claim_token: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    applied_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    detail: Mapped[str] = mapped_column(Text)
    backup: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    calls: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PlanStep(Base):
    """One entry of a plan's history: every decision, including "did not act, and why"."""

    __tablename__ = "fix_plan_steps"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    plan_id: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    step: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class PolicyPause(Base):
    """A policy whose fixes stopped because its blast-radius cap tripped, until a person resumes."""

    __tablename__ = "fix_pauses"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    policy_id: Mapped[str] = mapped_column(String(200), index=True)
    reason: Mapped[str] = mapped_column(Text)
    paused_at: Mapped[datetime] = mapped_column(UtcDateTime())
    resumed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    resumed_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
