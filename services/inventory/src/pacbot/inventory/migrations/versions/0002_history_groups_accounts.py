"""Change history, asset groups, account status, and a sweep index per (account, region, type).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("enabled", sa.Boolean(), nullable=False, server_default="1"))
        batch.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="unknown")
        )
        batch.add_column(sa.Column("validation_error", sa.Text(), nullable=True))
        batch.add_column(sa.Column("validated_at", TIMESTAMP, nullable=True))
        batch.add_column(
            sa.Column("source", sa.String(length=16), nullable=False, server_default="manual")
        )
    op.create_table(
        "asset_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("asset_id", sa.String(length=512), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("change_type", sa.String(length=16), nullable=False),
        sa.Column("changed_at", TIMESTAMP, nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_changes")),
    )
    op.create_index("ix_asset_changes_asset", "asset_changes", ["asset_id", "version"])
    op.create_table(
        "asset_groups",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_asset_groups")),
    )
    op.create_index(
        "ix_sweeps_key", "sweeps", ["account_id", "region", "resource_type", "started_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_sweeps_key", table_name="sweeps")
    op.drop_table("asset_groups")
    op.drop_index("ix_asset_changes_asset", table_name="asset_changes")
    op.drop_table("asset_changes")
    with op.batch_alter_table("accounts") as batch:
        for column in ("source", "validated_at", "validation_error", "status", "enabled"):
            batch.drop_column(column)
