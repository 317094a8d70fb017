"""violation listing indexes

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 08:10:00.000000

Indexes for the violations listing at scale (measured with ``make bench-api``, 73k violations):
the default order (updated_at, violation_id) without a status filter, an account's violations
by status and age, and counts by status and severity.
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_violations_updated", "violations", ["updated_at", "violation_id"])
    op.create_index(
        "ix_violations_account_status", "violations", ["account_id", "status", "opened_at"]
    )
    op.create_index("ix_violations_status_severity", "violations", ["status", "severity"])


def downgrade() -> None:
    op.drop_index("ix_violations_status_severity", table_name="violations")
    op.drop_index("ix_violations_account_status", table_name="violations")
    op.drop_index("ix_violations_updated", table_name="violations")
