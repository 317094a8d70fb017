"""verdicts, exception assets, retired policies

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 00:50:00

Results remember the key of their latest pass/fail (so an error result decides nothing and a
late verdict is still judged in order), resource exceptions get an asset index for coverage
lookups, and disabled/removed policies are remembered so in-flight evaluations stay closed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exception_assets",
        sa.Column("exception_id", sa.String(length=200), nullable=False),
        sa.Column("asset_id", sa.String(length=1024), nullable=False),
        sa.PrimaryKeyConstraint("exception_id", "asset_id", name=op.f("pk_exception_assets")),
    )
    with op.batch_alter_table("exception_assets", schema=None) as batch_op:
        batch_op.create_index("ix_exception_assets_asset", ["asset_id"], unique=False)
    op.create_table(
        "retired_policies",
        sa.Column("policy_id", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("policy_id", name=op.f("pk_retired_policies")),
    )
    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verdict_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("verdict_at", sa.DateTime(timezone=True), nullable=True))

    results = sa.table(
        "results",
        sa.column("status", sa.String()),
        sa.column("asset_version", sa.Integer()),
        sa.column("evaluated_at", sa.DateTime(timezone=True)),
        sa.column("verdict_version", sa.Integer()),
        sa.column("verdict_at", sa.DateTime(timezone=True)),
    )
    op.execute(
        results.update()
        .where(results.c.status.in_(["pass", "fail"]))
        .values(verdict_version=results.c.asset_version, verdict_at=results.c.evaluated_at)
    )
    projection = sa.table(
        "exceptions_projection",
        sa.column("exception_id", sa.String()),
        sa.column("kind", sa.String()),
        sa.column("asset_ids", sa.JSON()),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(projection.c.exception_id, projection.c.asset_ids).where(
            projection.c.kind == "resource"
        )
    ).all()
    links = [
        {"exception_id": exception_id, "asset_id": asset_id}
        for exception_id, asset_ids in rows
        for asset_id in dict.fromkeys(asset_ids or [])
    ]
    if links:
        assets = sa.table(
            "exception_assets", sa.column("exception_id", sa.String()), sa.column("asset_id")
        )
        op.bulk_insert(assets, links)


def downgrade() -> None:
    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.drop_column("verdict_at")
        batch_op.drop_column("verdict_version")
    op.drop_table("retired_policies")
    with op.batch_alter_table("exception_assets", schema=None) as batch_op:
        batch_op.drop_index("ix_exception_assets_asset")
    op.drop_table("exception_assets")
