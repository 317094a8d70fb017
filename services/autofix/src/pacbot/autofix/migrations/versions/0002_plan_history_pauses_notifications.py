"""fix plan history, kinds (rollback), claims and reminders; policy pauses; notifications

Revision ID: 0002
Revises: 0001

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "fix_pauses",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("policy_id", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("paused_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resumed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resumed_by", sa.String(length=320), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fix_pauses")),
    )
    with op.batch_alter_table("fix_pauses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fix_pauses_policy_id"), ["policy_id"], unique=False)

    op.create_table(
        "fix_plan_steps",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("plan_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("step", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fix_plan_steps")),
    )
    with op.batch_alter_table("fix_plan_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fix_plan_steps_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("subject_ref", sa.String(length=500), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=True),
        sa.Column("template", sa.String(length=200), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_notifications_dedupe_key")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notifications_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_notifications_recipient"), ["recipient"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_notifications_subject_ref"), ["subject_ref"], unique=False
        )
        batch_op.create_index(
            "ix_notifications_unreported", ["status", "reported_at"], unique=False
        )

    op.create_table(
        "notification_deliveries",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("notification_id", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claim_token", sa.String(length=40), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_notification_deliveries_notification_id_notifications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_deliveries")),
    )
    with op.batch_alter_table("notification_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notification_deliveries_due", ["status", "next_attempt_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_notification_deliveries_notification_id"),
            ["notification_id"],
            unique=False,
        )

    with op.batch_alter_table("fix_plans", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="fix")
        )
        batch_op.add_column(sa.Column("rollback_of", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("trigger", sa.String(length=16), nullable=False, server_default="event")
        )
        batch_op.add_column(sa.Column("requested_by", sa.String(length=320), nullable=True))
        batch_op.add_column(
            sa.Column("tags", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.add_column(sa.Column("phase", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("immediate", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("grace_seconds", sa.Float(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("reminders_sent", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("next_reminder_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("claim_token", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("calls", sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f("ix_fix_plans_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fix_plans_policy_id"), ["policy_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fix_plans_rollback_of"), ["rollback_of"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("fix_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fix_plans_rollback_of"))
        batch_op.drop_index(batch_op.f("ix_fix_plans_policy_id"))
        batch_op.drop_index(batch_op.f("ix_fix_plans_account_id"))
        batch_op.drop_column("calls")
        batch_op.drop_column("attempts")
        batch_op.drop_column("lease_until")
        batch_op.drop_column("claim_token")
        batch_op.drop_column("next_reminder_at")
        batch_op.drop_column("reminders_sent")
        batch_op.drop_column("grace_seconds")
        batch_op.drop_column("immediate")
        batch_op.drop_column("phase")
        batch_op.drop_column("tags")
        batch_op.drop_column("requested_by")
        batch_op.drop_column("trigger")
        batch_op.drop_column("rollback_of")
        batch_op.drop_column("kind")

    with op.batch_alter_table("notification_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_deliveries_notification_id"))
        batch_op.drop_index("ix_notification_deliveries_due")

    op.drop_table("notification_deliveries")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_unreported")
        batch_op.drop_index(batch_op.f("ix_notifications_subject_ref"))
        batch_op.drop_index(batch_op.f("ix_notifications_recipient"))
        batch_op.drop_index(batch_op.f("ix_notifications_created_at"))

    op.drop_table("notifications")
    with op.batch_alter_table("fix_plan_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fix_plan_steps_plan_id"))

    op.drop_table("fix_plan_steps")
    with op.batch_alter_table("fix_pauses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fix_pauses_policy_id"))

    op.drop_table("fix_pauses")
