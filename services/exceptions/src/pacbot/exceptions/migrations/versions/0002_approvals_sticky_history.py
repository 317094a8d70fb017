"""approval workflow, sticky criteria, per-policy index and history

Revision ID: 0002
Revises: 0001

Existing exceptions were granted at request time: each gets its policies indexed and a history
(requested, approved at once, then revoked or expired when that happened).
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LEGACY_GRANT = "granted at request time, before approvals existed"


def upgrade() -> None:
    """Upgrade schema, then index and narrate the exceptions that already exist."""
    op.create_table(
        "exception_history",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("exception_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["exception_id"],
            ["exceptions.exception_id"],
            name=op.f("fk_exception_history_exception_id_exceptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exception_history")),
    )
    with op.batch_alter_table("exception_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exception_history_exception_id"), ["exception_id"], unique=False
        )

    op.create_table(
        "exception_policies",
        sa.Column("exception_id", sa.String(length=64), nullable=False),
        sa.Column("policy_id", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["exception_id"],
            ["exceptions.exception_id"],
            name=op.f("fk_exception_policies_exception_id_exceptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("exception_id", "policy_id", name=op.f("pk_exception_policies")),
    )
    with op.batch_alter_table("exception_policies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exception_policies_policy_id"), ["policy_id"], unique=False
        )

    with op.batch_alter_table("exceptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("criteria", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("approver", sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("decision_reason", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("expiring_soon_sent_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_exceptions_requester"), ["requester"], unique=False)

    _backfill()


def _backfill() -> None:
    exceptions = sa.table(
        "exceptions",
        sa.column("exception_id", sa.String()),
        sa.column("policy_ids", sa.JSON()),
        sa.column("requester", sa.String()),
        sa.column("status", sa.String()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("expires_at", sa.DateTime(timezone=True)),
        sa.column("decided_at", sa.DateTime(timezone=True)),
        sa.column("revoked_at", sa.DateTime(timezone=True)),
        sa.column("revoked_by", sa.String()),
        sa.column("revoke_reason", sa.Text()),
    )
    policies = sa.table(
        "exception_policies", sa.column("exception_id", sa.String()), sa.column("policy_id")
    )
    history = sa.table(
        "exception_history",
        sa.column("exception_id", sa.String()),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("action", sa.String()),
        sa.column("actor", sa.String()),
        sa.column("detail", sa.Text()),
    )
    rows = op.get_bind().execute(sa.select(exceptions)).mappings().all()
    policy_rows: list[dict[str, Any]] = []
    history_rows: list[dict[str, Any]] = []
    for row in rows:
        exception_id = row["exception_id"]
        policy_rows += [
            {"exception_id": exception_id, "policy_id": policy_id}
            for policy_id in dict.fromkeys(row["policy_ids"] or [])
        ]
        history_rows += _legacy_history(row)
    if policy_rows:
        op.bulk_insert(policies, policy_rows)
    if history_rows:
        op.bulk_insert(history, history_rows)
    op.execute(
        exceptions.update()
        .where(exceptions.c.status != "pending")
        .values(decided_at=exceptions.c.created_at)
    )


def _legacy_history(row: Any) -> list[dict[str, Any]]:
    exception_id, created_at = row["exception_id"], row["created_at"]
    entries = [
        (created_at, "requested", row["requester"], None),
        (created_at, "approved", None, _LEGACY_GRANT),
    ]
    if row["status"] == "revoked" and row["revoked_at"] is not None:
        entries.append((row["revoked_at"], "revoked", row["revoked_by"], row["revoke_reason"]))
    elif row["status"] == "expired":
        entries.append((row["expires_at"], "expired", None, None))
    return [
        {"exception_id": exception_id, "at": at, "action": action, "actor": actor, "detail": detail}
        for at, action, actor, detail in entries
    ]


def downgrade() -> None:
    """Downgrade schema (pending and rejected requests and sticky criteria are dropped)."""
    op.execute("DELETE FROM exceptions WHERE status IN ('pending', 'rejected') OR kind = 'sticky'")
    with op.batch_alter_table("exceptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exceptions_requester"))
        batch_op.drop_column("expiring_soon_sent_at")
        batch_op.drop_column("decision_reason")
        batch_op.drop_column("decided_at")
        batch_op.drop_column("approver")
        batch_op.drop_column("criteria")

    with op.batch_alter_table("exception_policies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exception_policies_policy_id"))
    op.drop_table("exception_policies")
    with op.batch_alter_table("exception_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exception_history_exception_id"))
    op.drop_table("exception_history")
