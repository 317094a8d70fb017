"""initial schema

Revision ID: 0001
Revises:

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "fix_plans",
        sa.Column("plan_id", sa.String(length=64), nullable=False),
        sa.Column("violation_id", sa.String(length=64), nullable=False),
        sa.Column("episode", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.String(length=1024), nullable=False),
        sa.Column("asset_name", sa.String(length=1024), nullable=False),
        sa.Column("resource_type", sa.String(length=200), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=320), nullable=True),
        sa.Column("policy_id", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=200), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("backup", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("plan_id", name=op.f("pk_fix_plans")),
    )
    with op.batch_alter_table("fix_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fix_plans_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_fix_plans_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_fix_plans_violation_id"), ["violation_id"], unique=False
        )

    op.create_table(
        "inbox",
        sa.Column("consumer_group", sa.String(length=200), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer_group", "event_id", name=op.f("pk_inbox")),
    )
    op.create_table(
        "outbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=500), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("outbox")
    op.drop_table("inbox")
    with op.batch_alter_table("fix_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fix_plans_violation_id"))
        batch_op.drop_index(batch_op.f("ix_fix_plans_status"))
        batch_op.drop_index(batch_op.f("ix_fix_plans_due_at"))

    op.drop_table("fix_plans")
