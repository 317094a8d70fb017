"""policy registry revisions and the audit of operator changes

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 10:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("policy_registry") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "policy_change",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("policy_id", sa.String(length=200), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_change")),
        sa.UniqueConstraint("policy_id", "revision", name=op.f("uq_policy_change_policy_id")),
    )
    op.create_index(
        op.f("ix_policy_change_policy_id"), "policy_change", ["policy_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_policy_change_policy_id"), table_name="policy_change")
    op.drop_table("policy_change")
    with op.batch_alter_table("policy_registry") as batch:
        batch.drop_column("revision")
