"""The two notification tables, added to a service's own metadata (and so its migrations).

``notifications``: one row per thing to tell someone, rendered at enqueue; ``status`` is
``pending`` until settled as ``delivered`` (any channel delivered), ``failed`` (every channel
failed for good) or ``undeliverable`` (no channel applied). ``reported_at`` is when the settle
hook ran (exactly once, in the transaction that set it).

``notification_deliveries``: one row per channel: ``pending`` (due at ``next_attempt_at``),
``sending`` (claimed by ``claim_token`` at ``claimed_at``), ``delivered`` or ``failed``.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, MetaData, String, Table, Text

from pacbot.common.db import UtcDateTime

NOTIFICATIONS = "notifications"
DELIVERIES = "notification_deliveries"


def notification_tables(metadata: MetaData) -> tuple[Table, Table]:
    """Add ``notifications`` and ``notification_deliveries`` to ``metadata``; call once."""
    notifications = Table(
        NOTIFICATIONS,
        metadata,
        Column("id", String(40), primary_key=True),
        Column("kind", String(64), nullable=False),
        Column("subject_ref", String(500), nullable=False, index=True),
        Column("recipient", String(320), nullable=True, index=True),
        Column("template", String(200), nullable=False),
        Column("context", JSON, nullable=False),
        Column("subject", Text, nullable=False),
        Column("text", Text, nullable=False),
        Column("html", Text, nullable=True),
        Column("dedupe_key", String(500), nullable=True, unique=True),
        Column("status", String(20), nullable=False),
        Column("detail", Text, nullable=False),
        Column("created_at", UtcDateTime(), nullable=False, index=True),
        Column("settled_at", UtcDateTime(), nullable=True),
        Column("delivered_at", UtcDateTime(), nullable=True),
        Column("reported_at", UtcDateTime(), nullable=True),
        Index(f"ix_{NOTIFICATIONS}_unreported", "status", "reported_at"),
    )
    deliveries = Table(
        DELIVERIES,
        metadata,
        Column("id", String(40), primary_key=True),
        Column(
            "notification_id",
            String(40),
            ForeignKey(f"{NOTIFICATIONS}.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        Column("channel", String(20), nullable=False),
        Column("status", String(20), nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("next_attempt_at", UtcDateTime(), nullable=False),
        Column("claimed_at", UtcDateTime(), nullable=True),
        Column("claim_token", String(40), nullable=True),
        Column("last_error", Text, nullable=True),
        Column("delivered_at", UtcDateTime(), nullable=True),
        Index(f"ix_{DELIVERIES}_due", "status", "next_attempt_at"),
    )
    return notifications, deliveries
