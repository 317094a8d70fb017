"""The violations service's tables: latest results, violations, the exceptions projection."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from pacbot.common.db import new_metadata
from pacbot.common.runtime import messaging_tables


class Base(DeclarativeBase):
    """Declarative base over the service's own metadata."""

    metadata = new_metadata()


OUTBOX, INBOX = messaging_tables(Base.metadata)


def as_utc(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; every stored moment is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class ResultRow(Base):
    """The latest status of one policy on one asset, with what the evaluation said."""

    __tablename__ = "results"
    __table_args__ = (Index("ix_results_policy_status", "policy_id", "status"),)

    asset_id: Mapped[str] = mapped_column(String(1024), primary_key=True)
    policy_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    asset_version: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    account_id: Mapped[str] = mapped_column(String(32), nullable=False)
    region: Mapped[str] = mapped_column(String(64), nullable=False)
    resource_type: Mapped[str] = mapped_column(String(200), nullable=False)
    asset_name: Mapped[str] = mapped_column(String(1024), nullable=False)
    policy_name: Mapped[str] = mapped_column(String(500), nullable=False)
    severity: Mapped[str] = mapped_column(String(20), nullable=False)
    category: Mapped[str] = mapped_column(String(20), nullable=False)
    asset: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    policy: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    owner: Mapped[str | None] = mapped_column(String(320), nullable=True)
    tags: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False, default=dict)
    deleted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    evaluated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    # The (asset version, evaluated_at) of the latest pass/fail: an error or not_applicable result
    # is stored above but decides nothing, so a late older verdict is judged against this one.
    verdict_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    verdict_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ViolationRow(Base):
    """A failing (asset, policy) pair across its episodes; the id is derived from the pair."""

    __tablename__ = "violations"
    __table_args__ = (
        Index("ix_violations_asset_status", "asset_id", "status"),
        Index("ix_violations_status_updated", "status", "updated_at"),
        # the listing's default order, an account's violations, counts by status and severity
        Index("ix_violations_updated", "updated_at", "violation_id"),
        Index("ix_violations_account_status", "account_id", "status", "opened_at"),
        Index("ix_violations_status_severity", "status", "severity"),
    )

    violation_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    asset_id: Mapped[str] = mapped_column(String(1024), nullable=False)
    policy_id: Mapped[str] = mapped_column(String(200), nullable=False)
    account_id: Mapped[str] = mapped_column(String(32), nullable=False)
    region: Mapped[str] = mapped_column(String(64), nullable=False)
    resource_type: Mapped[str] = mapped_column(String(200), nullable=False)
    asset_name: Mapped[str] = mapped_column(String(1024), nullable=False)
    policy_name: Mapped[str] = mapped_column(String(500), nullable=False)
    severity: Mapped[str] = mapped_column(String(20), nullable=False)
    category: Mapped[str] = mapped_column(String(20), nullable=False)
    asset: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    policy: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    close_reason: Mapped[str | None] = mapped_column(String(20))
    exception_id: Mapped[str | None] = mapped_column(String(200))
    episode: Mapped[int] = mapped_column(Integer, nullable=False)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    owner: Mapped[str | None] = mapped_column(String(320), nullable=True, index=True)
    tags: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False, default=dict)
    asset_version: Mapped[int] = mapped_column(Integer, nullable=False)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    timeline: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)


class ExceptionProjection(Base):
    """What the violations service knows of each exception, built from its events."""

    __tablename__ = "exceptions_projection"

    exception_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    asset_ids: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    policy_ids: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    criteria: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class ExceptionAsset(Base):
    """The assets a resource exception names, so coverage is looked up by asset in SQL."""

    __tablename__ = "exception_assets"
    __table_args__ = (Index("ix_exception_assets_asset", "asset_id"),)

    exception_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    asset_id: Mapped[str] = mapped_column(String(1024), primary_key=True)


class RetiredPolicy(Base):
    """A policy disabled or removed at ``retired_at``: results evaluated until then are stale."""

    __tablename__ = "retired_policies"

    policy_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    reason: Mapped[str] = mapped_column(String(20), nullable=False)
    retired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class AssetTombstone(Base):
    """A deleted asset, so a late evaluation of the deleted version cannot re-open anything."""

    __tablename__ = "asset_tombstones"

    asset_id: Mapped[str] = mapped_column(String(1024), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    deleted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class ViolationEpisode(Base):
    """One episode of a violation, from (re-)opening to closing; the base of time-to-remediate."""

    __tablename__ = "violation_episodes"
    __table_args__ = (Index("ix_violation_episodes_closed", "close_reason", "closed_at"),)

    violation_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    episode: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy_id: Mapped[str] = mapped_column(String(200), nullable=False)
    account_id: Mapped[str] = mapped_column(String(32), nullable=False)
    region: Mapped[str] = mapped_column(String(64), nullable=False)
    resource_type: Mapped[str] = mapped_column(String(200), nullable=False)
    severity: Mapped[str] = mapped_column(String(20), nullable=False)
    category: Mapped[str] = mapped_column(String(20), nullable=False)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    close_reason: Mapped[str | None] = mapped_column(String(20))


class ComplianceSnapshot(Base):
    """The compliance figures of one scope on one day, for trends (re-taken during the day)."""

    __tablename__ = "compliance_snapshots"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    scope: Mapped[str] = mapped_column(String(1000), primary_key=True)
    overall_pct: Mapped[float | None] = mapped_column(Float, nullable=True)
    evaluated_assets: Mapped[int] = mapped_column(Integer, nullable=False)
    open: Mapped[int] = mapped_column(Integer, nullable=False)
    exempted: Mapped[int] = mapped_column(Integer, nullable=False)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


# --- Tallies: the compliance figures' counts, kept in step with results and violations by
# ``pacbot.violations.aggregates`` (same transaction) and rebuilt from them on demand.
# A cell is keyed by a tag dimension (``tag_key`` "" = every asset; else one tracked tag key
# and the row's value of it), the account, region and resource type, and what is counted by;
# ``cell`` is a digest of that key (the key columns can be long).


class ResultTally(Base):
    """Live results of one policy in one cell, by what the summary counts."""

    __tablename__ = "result_tallies"
    __table_args__ = (Index("ix_result_tallies_dimension", "tag_key", "tag_value"),)

    cell: Mapped[str] = mapped_column(String(64), primary_key=True)
    tag_key: Mapped[str] = mapped_column(String(1024), nullable=False)
    tag_value: Mapped[str] = mapped_column(String(1024), nullable=False)
    account_id: Mapped[str] = mapped_column(String(32), nullable=False)
    region: Mapped[str] = mapped_column(String(64), nullable=False)
    resource_type: Mapped[str] = mapped_column(String(200), nullable=False)
    policy_id: Mapped[str] = mapped_column(String(200), nullable=False)
    policy_name: Mapped[str] = mapped_column(String(500), nullable=False)
    severity: Mapped[str] = mapped_column(String(20), nullable=False)
    category: Mapped[str] = mapped_column(String(20), nullable=False)
    passing: Mapped[int] = mapped_column(Integer, nullable=False)
    failing: Mapped[int] = mapped_column(Integer, nullable=False)
    exempted: Mapped[int] = mapped_column(Integer, nullable=False)
    unknown: Mapped[int] = mapped_column(Integer, nullable=False)
    not_applicable: Mapped[int] = mapped_column(Integer, nullable=False)


class AssetTally(Base):
    """Distinct live assets of one cell with a pass/fail result (evaluated) and with an error."""

    __tablename__ = "asset_tallies"
    __table_args__ = (Index("ix_asset_tallies_dimension", "tag_key", "tag_value"),)

    cell: Mapped[str] = mapped_column(String(64), primary_key=True)
    tag_key: Mapped[str] = mapped_column(String(1024), nullable=False)
    tag_value: Mapped[str] = mapped_column(String(1024), nullable=False)
    account_id: Mapped[str] = mapped_column(String(32), nullable=False)
    region: Mapped[str] = mapped_column(String(64), nullable=False)
    resource_type: Mapped[str] = mapped_column(String(200), nullable=False)
    evaluated: Mapped[int] = mapped_column(Integer, nullable=False)
    unknown: Mapped[int] = mapped_column(Integer, nullable=False)


class ViolationTally(Base):
    """Violations of one cell with one severity and status."""

    __tablename__ = "violation_tallies"
    __table_args__ = (Index("ix_violation_tallies_dimension", "tag_key", "tag_value"),)

    cell: Mapped[str] = mapped_column(String(64), primary_key=True)
    tag_key: Mapped[str] = mapped_column(String(1024), nullable=False)
    tag_value: Mapped[str] = mapped_column(String(1024), nullable=False)
    account_id: Mapped[str] = mapped_column(String(32), nullable=False)
    region: Mapped[str] = mapped_column(String(64), nullable=False)
    resource_type: Mapped[str] = mapped_column(String(200), nullable=False)
    severity: Mapped[str] = mapped_column(String(20), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    violations: Mapped[int] = mapped_column(Integer, nullable=False)


class TallyState(Base):
    """One row: which tag keys the tallies hold (null: never built), which asset groups
    ({name: criteria}; null: none) and a change counter.

    Every transaction that changes a tally bumps ``changes`` first (so it also serialises
    with a rebuild); caches of figures computed otherwise are valid while it stays the same.
    """

    __tablename__ = "tally_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    changes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    tag_keys: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    groups: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    built_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
