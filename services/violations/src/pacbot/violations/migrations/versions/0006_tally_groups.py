"""tally groups and roll-ups

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 12:40:00.000000

The asset groups the compliance tallies count by, with the criteria their cells were counted
for (``{name: criteria}``; null: none yet). The service fills them from the inventory's groups
as they appear and change (``compliance.group_cells``). The tallies also gain roll-up cells
(account, region and type "*"), which tallies built before lack: they are marked never built,
so the service's next start recounts them (until then figures come from the raw rows).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tally_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("groups", sa.JSON(), nullable=True))
    op.execute("UPDATE tally_state SET tag_keys = NULL")


def downgrade() -> None:
    with op.batch_alter_table("tally_state", schema=None) as batch_op:
        batch_op.drop_column("groups")
