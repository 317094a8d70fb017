"""Tallies kept in step with results and violations, in the transaction that changes them.

:class:`TallyingSession` is the violations service's session class (the app factory sets it,
with the tracked tag keys, on its session factory). Before each flush it reads, for the assets
the flush touches, their stored results and violations as the database still has them, lays
the session's pending changes over them, and adds the difference of the two countings to the
transaction's :class:`Delta`. Before commit it applies the delta: the change counter first
(which also makes it wait for a running rebuild), then the cells in cell order, so two
transactions never lock cells in opposite orders.

Bulk ``UPDATE``/``DELETE``/``INSERT`` statements on results or violations would bypass the
counting, so this session refuses them; so are savepoints (a rolled-back savepoint would
leave its counts behind).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import and_, delete, event, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction

from pacbot.violations.aggregates.cells import (
    Counts,
    Key,
    ResultState,
    ViolationState,
    asset_cells,
    result_cells,
    violation_cells,
)
from pacbot.violations.aggregates.tables import ASSETS, RESULTS, TALLIES, VIOLATIONS, TallyTable
from pacbot.violations.models import ResultRow, TallyState, ViolationRow

TAG_KEYS = "pacbot.violations.tally_tag_keys"
PENDING = "pacbot.violations.tally_pending"
STATE_ID = 1
CHUNK = 500  # rows per statement (well under both databases' parameter limits)
COUNTED = {ResultRow.__table__, ViolationRow.__table__}
RESULT_ATTRS = (
    "status",
    "deleted",
    "account_id",
    "region",
    "resource_type",
    "policy_name",
    "severity",
    "category",
    "tags",
)
VIOLATION_ATTRS = ("status", "account_id", "region", "resource_type", "severity", "tags")


class Delta:
    """Per tally, what a transaction adds to each cell (sums of count tuples)."""

    def __init__(self) -> None:
        self.cells: dict[str, dict[Key, list[int]]] = {t.name: {} for t in TALLIES}

    def move(self, table: TallyTable, cells: Iterable[tuple[Key, Counts]], sign: int) -> None:
        """Add (sign 1) or take away (sign -1) these cells' counts."""
        into = self.cells[table.name]
        for key, counts in cells:
            total = into.setdefault(key, [0] * len(counts))
            for i, n in enumerate(counts):
                total[i] += sign * n

    def changed(self, table: TallyTable) -> list[tuple[Key, Counts]]:
        """The cells whose counts change, in key order."""
        return sorted(
            (key, tuple(counts)) for key, counts in self.cells[table.name].items() if any(counts)
        )

    def __bool__(self) -> bool:
        return any(any(any(c) for c in cells.values()) for cells in self.cells.values())


class TallyingSession(Session):
    """A session whose flushes count their changes to results and violations into the tallies."""


def tracked_keys(session: Session) -> tuple[str, ...]:
    """The tag keys this session's factory was configured to tally."""
    keys = session.info.get(TAG_KEYS)
    if keys is None:
        raise RuntimeError(
            "a violations session must come from the app's factory (tracked tag keys unset)"
        )
    return tuple(keys)


def _changed(session: Session, obj: Any, attrs: Sequence[str]) -> bool:
    if obj in session.new or obj in session.deleted:
        return True
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in attrs)


def _stored(session: Session, model: Any, asset_ids: Sequence[str]) -> list[Any]:
    """The rows of these assets as the database holds them now (not the session's objects)."""
    table = model.__table__
    rows: list[Any] = []
    for start in range(0, len(asset_ids), CHUNK):
        chunk = asset_ids[start : start + CHUNK]
        rows.extend(session.execute(select(table).where(table.c.asset_id.in_(chunk))).all())
    return rows


def _exempted(violations: Iterable[ViolationState]) -> set[tuple[str, str]]:
    return {v.pair for v in violations if v.status == "exempted"}


def count_flush(session: Session) -> None:
    """Add what the coming flush changes to the transaction's delta."""
    pending = [*session.new, *session.dirty, *session.deleted]
    results = [
        o for o in pending if isinstance(o, ResultRow) and _changed(session, o, RESULT_ATTRS)
    ]
    violations = [
        o for o in pending if isinstance(o, ViolationRow) and _changed(session, o, VIOLATION_ATTRS)
    ]
    if not results and not violations:
        return
    tag_keys = tracked_keys(session)
    assets = sorted({o.asset_id for o in results} | {o.asset_id for o in violations})
    before = {s.pair: s for s in map(ResultState.of, _stored(session, ResultRow, assets))}
    stored_violations = {
        v.violation_id: v for v in map(ViolationState.of, _stored(session, ViolationRow, assets))
    }
    after, violations_after = dict(before), dict(stored_violations)
    for result in results:
        state = ResultState.of(result)
        if result in session.deleted:
            after.pop(state.pair, None)
        else:
            after[state.pair] = state
    for violation in violations:
        if violation in session.deleted:
            violations_after.pop(violation.violation_id, None)
        else:
            violations_after[violation.violation_id] = ViolationState.of(violation)
    delta: Delta = session.info.setdefault(PENDING, Delta())
    exempted_before, exempted_after = (
        _exempted(stored_violations.values()),
        _exempted(violations_after.values()),
    )
    pairs = {(r.asset_id, r.policy_id) for r in results} | {
        (v.asset_id, v.policy_id) for v in violations
    }
    for pair in pairs:
        delta.move(RESULTS, result_cells(before.get(pair), pair in exempted_before, tag_keys), -1)
        delta.move(RESULTS, result_cells(after.get(pair), pair in exempted_after, tag_keys), 1)
    for asset_id in {o.asset_id for o in results}:
        old = asset_cells((s for s in before.values() if s.asset_id == asset_id), tag_keys)
        new = asset_cells((s for s in after.values() if s.asset_id == asset_id), tag_keys)
        delta.move(ASSETS, old.items(), -1)
        delta.move(ASSETS, new.items(), 1)
    for violation in violations:
        delta.move(
            VIOLATIONS, violation_cells(stored_violations.get(violation.violation_id), tag_keys), -1
        )
        delta.move(
            VIOLATIONS, violation_cells(violations_after.get(violation.violation_id), tag_keys), 1
        )


def apply_delta(session: Session, delta: Delta) -> None:
    """Bump the change counter, then add the delta to the tallies and drop emptied cells."""
    bumped = session.execute(
        update(TallyState).where(TallyState.id == STATE_ID).values(changes=TallyState.changes + 1)
    )
    if bumped.rowcount != 1:  # type: ignore[attr-defined]
        raise RuntimeError("the tally_state row is missing; run the violations migrations")
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    for tally in TALLIES:
        cells = delta.changed(tally)
        for start in range(0, len(cells), CHUNK):
            rows = [tally.row(key, counts) for key, counts in cells[start : start + CHUNK]]
            insert = dialect.insert(tally.table).values(rows)
            added = {c: tally.table.c[c] + insert.excluded[c] for c in tally.counts}
            session.execute(insert.on_conflict_do_update(index_elements=["cell"], set_=added))
            emptied = and_(*(tally.table.c[c] == 0 for c in tally.counts))
            cell_ids = [str(row["cell"]) for row in rows]
            session.execute(delete(tally.table).where(tally.table.c.cell.in_(cell_ids), emptied))


@event.listens_for(TallyingSession, "before_flush")
def _before_flush(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    count_flush(session)


@event.listens_for(TallyingSession, "before_commit")
def _before_commit(session: Session) -> None:
    session.flush()  # the last changes are counted before the delta is applied
    delta = session.info.pop(PENDING, None)
    if delta:
        apply_delta(session, delta)


@event.listens_for(TallyingSession, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(PENDING, None)  # rolled back (or already applied): nothing is kept


@event.listens_for(TallyingSession, "after_transaction_create")
def _no_savepoints(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        raise RuntimeError("savepoints would leave a rolled-back part counted in the tallies")


@event.listens_for(TallyingSession, "do_orm_execute")
def _no_bulk_writes(state: ORMExecuteState) -> None:
    if state.is_select:
        return
    if getattr(state.statement, "table", None) in COUNTED:
        raise RuntimeError(
            "results and violations change through ORM objects, so the tallies count them; "
            "a bulk statement on them would not be counted"
        )


def tallying(sessions: Any, tag_keys: Sequence[str], **info: Any) -> None:
    """Make ``sessions`` (the service's session factory) count into the tallies."""
    sessions.configure(sync_session_class=TallyingSession, info={TAG_KEYS: tuple(tag_keys), **info})
