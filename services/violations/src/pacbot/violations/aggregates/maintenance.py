"""Tallies kept in step with results and violations, in the transaction that changes them.

:class:`TallyingSession` is the violations service's session class (the app factory sets it on
its session factory). Before each flush it reads, for the assets the flush touches, their
stored results and violations as the database still has them, lays the session's pending
changes over them, and records in the transaction's :class:`Delta` what was counted before and
what is counted after. Before commit it takes the tallies' lock (the change counter's row, which
also makes it wait for a running rebuild), reads there the tag keys and asset groups the
tallies are built for, turns the recorded states into cells with those and applies the
difference in cell order, so two transactions never lock cells in opposite orders. The keys and
groups come from the database, not the process: a replica configured with other keys (a rolling
deploy) counts what the tallies hold, and a rebuild for new keys or a group's cells built anew
(``aggregates.groups``) is followed by every writer from its next commit.

Bulk ``UPDATE``/``DELETE``/``INSERT`` statements on results or violations would bypass the
counting, so this session refuses them (the one exception, :func:`insert_counted`, counts the
new results it inserts itself); so are savepoints (a rolled-back savepoint would
leave its counts behind).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table, and_, bindparam, delete, event, insert, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction

from pacbot.violations.aggregates.cells import (
    RESULT_KEY,
    VIOLATION_KEY,
    Counts,
    Groups,
    Key,
    ResultState,
    ViolationState,
    asset_cells,
    group_rules,
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
STATE_COLUMNS: dict[Any, tuple[str, ...]] = {  # what ResultState.of / ViolationState.of read
    ResultRow: ("asset_id", "policy_id", *RESULT_ATTRS),
    ViolationRow: ("violation_id", "asset_id", "policy_id", *VIOLATION_ATTRS),
}


class Delta:
    """What a transaction changed, as counted states: each taken away (sign -1) or added (1).

    Cells are made from them only when the delta is applied, with the keys the tallies hold.
    """

    def __init__(self) -> None:
        self.results: list[tuple[ResultState | None, bool, int]] = []
        self.assets: list[tuple[tuple[ResultState, ...], int]] = []
        self.violations: list[tuple[ViolationState | None, int]] = []

    def cells(
        self, tag_keys: Sequence[str], groups: Groups = ()
    ) -> dict[str, list[tuple[Key, Counts]]]:
        """Per tally, the cells whose counts change with these tag keys and groups, in key
        order."""
        sums: dict[str, dict[Key, list[int]]] = {t.name: {} for t in TALLIES}

        def move(table: TallyTable, cells: Iterable[tuple[Key, Counts]], sign: int) -> None:
            into = sums[table.name]
            for key, counts in cells:
                total = into.setdefault(key, [0] * len(counts))
                for i, n in enumerate(counts):
                    total[i] += sign * n

        # states that add to the same cells are summed first, their cells made once per class
        weights: dict[Any, int] = {}
        samples: dict[Any, tuple[ResultState, bool]] = {}
        for result, exempted, sign in self.results:
            if result is None or result.deleted:
                continue  # counts nothing
            kind = _cell_class(result, RESULT_CLASS, tag_keys, groups)
            if kind is None:
                move(RESULTS, result_cells(result, exempted, tag_keys, groups), sign)
                continue
            kind = (kind, exempted)
            weights[kind] = weights.get(kind, 0) + sign
            samples.setdefault(kind, (result, exempted))
        for kind, weight in weights.items():
            if weight:
                move(RESULTS, result_cells(*samples[kind], tag_keys, groups), weight)
        for states, sign in self.assets:
            move(ASSETS, asset_cells(states, tag_keys, groups).items(), sign)
        violation_weights: dict[Any, int] = {}
        violation_samples: dict[Any, ViolationState] = {}
        for violation, sign in self.violations:
            if violation is None:
                continue
            kind = _cell_class(violation, VIOLATION_KEY, tag_keys, groups)
            if kind is None:
                move(VIOLATIONS, violation_cells(violation, tag_keys, groups), sign)
                continue
            violation_weights[kind] = violation_weights.get(kind, 0) + sign
            violation_samples.setdefault(kind, violation)
        for kind, weight in violation_weights.items():
            if weight:
                move(VIOLATIONS, violation_cells(violation_samples[kind], tag_keys, groups), weight)
        return {
            name: sorted((key, tuple(counts)) for key, counts in cells.items() if any(counts))
            for name, cells in sums.items()
        }

    def __bool__(self) -> bool:
        return bool(self.results or self.assets or self.violations)


RESULT_CLASS = ("status", *RESULT_KEY)


def _cell_class(
    state: ResultState | ViolationState,
    fields: Sequence[str],
    tag_keys: Sequence[str],
    groups: Groups,
) -> tuple[Any, ...] | None:
    """What the cells of a state depend on (``fields``, the tracked tags' values, and with
    groups the whole tag set, which their criteria read with account, region and type), as a
    hashable key; None when a tag value is not hashable."""
    tags = state.tags
    tagged = tuple(sorted(tags.items())) if groups else tuple(tags.get(k) for k in tag_keys)
    kind = (*(getattr(state, name) for name in fields), tagged)
    try:
        hash(kind)
    except TypeError:
        return None
    return kind


class TallyingSession(Session):
    """A session whose flushes count their changes to results and violations into the tallies."""


def _changed(obj: Any, attrs: Sequence[str], added_or_deleted: Any) -> bool:
    if obj in added_or_deleted:
        return True
    state = inspect(obj)
    # an attribute never set since load has no entry in committed_state and no history: only
    # the set ones are looked at (a value set back to what it was has no changes either)
    touched = state.committed_state
    return any(name in touched and state.attrs[name].history.has_changes() for name in attrs)


def _stored(session: Session, model: Any, asset_ids: Sequence[str]) -> list[Any]:
    """The rows of these assets as the database holds them now (not the session's objects),
    with only the columns their counted state is made of (no evidence, asset or policy JSON
    to decode)."""
    table = model.__table__
    columns = [table.c[name] for name in STATE_COLUMNS[model]]
    rows: list[Any] = []
    for start in range(0, len(asset_ids), CHUNK):
        chunk = asset_ids[start : start + CHUNK]
        rows.extend(session.execute(select(*columns).where(table.c.asset_id.in_(chunk))).all())
    return rows


def _exempted(violations: Iterable[ViolationState]) -> set[tuple[str, str]]:
    return {v.pair for v in violations if v.status == "exempted"}


def count_flush(session: Session) -> None:
    """Add what the coming flush changes to the transaction's delta."""
    # session.new / .deleted build a new set on every access: read them once per flush
    new, deleted = session.new, session.deleted
    added_or_deleted = new.union(deleted)
    pending = [*new, *session.dirty, *deleted]
    results = [
        o
        for o in pending
        if isinstance(o, ResultRow) and _changed(o, RESULT_ATTRS, added_or_deleted)
    ]
    violations = [
        o
        for o in pending
        if isinstance(o, ViolationRow) and _changed(o, VIOLATION_ATTRS, added_or_deleted)
    ]
    if not results and not violations:
        return
    assets = sorted({o.asset_id for o in results} | {o.asset_id for o in violations})
    before = {s.pair: s for s in map(ResultState.of, _stored(session, ResultRow, assets))}
    stored_violations = {
        v.violation_id: v for v in map(ViolationState.of, _stored(session, ViolationRow, assets))
    }
    after, violations_after = dict(before), dict(stored_violations)
    for result in results:
        state = ResultState.of(result)
        if result in deleted:
            after.pop(state.pair, None)
        else:
            after[state.pair] = state
    for violation in violations:
        if violation in deleted:
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
    # a state counted the same before and after adds and takes away the same cells: skipped
    for pair in pairs:
        was = (before.get(pair), pair in exempted_before)
        now = (after.get(pair), pair in exempted_after)
        if was != now:
            delta.results.append((*was, -1))
            delta.results.append((*now, 1))
    states_before, states_after = _by_asset(before.values()), _by_asset(after.values())
    for asset_id in {o.asset_id for o in results}:
        was_states, now_states = states_before.get(asset_id, ()), states_after.get(asset_id, ())
        if was_states != now_states:
            delta.assets.append((was_states, -1))
            delta.assets.append((now_states, 1))
    for violation in violations:
        was_violation = stored_violations.get(violation.violation_id)
        now_violation = violations_after.get(violation.violation_id)
        if was_violation != now_violation:
            delta.violations.append((was_violation, -1))
            delta.violations.append((now_violation, 1))


def _by_asset(states: Iterable[ResultState]) -> dict[str, tuple[ResultState, ...]]:
    """The states of each asset, in the order given (one pass, not one per asset)."""
    grouped: dict[str, list[ResultState]] = {}
    for state in states:
        grouped.setdefault(state.asset_id, []).append(state)
    return {asset_id: tuple(found) for asset_id, found in grouped.items()}


def insert_counted(session: Session, rows: Sequence[Any]) -> None:
    """Insert new results, absent from the database and the session, with one statement per
    CHUNK rows, and count them into the transaction's delta as a flush would count new ORM
    objects (``rows`` have the result's attributes and ``values()``, the row to insert)."""
    session.flush()  # pending changes are counted first: the states read below are the database's
    if isinstance(session, TallyingSession):
        count_inserts(session, [ResultState.of(row) for row in rows])
    table = ResultRow.__table__
    assert isinstance(table, Table)
    connection = session.connection()  # not session.execute: _no_bulk_writes guards that path
    for start in range(0, len(rows), CHUNK):
        connection.execute(insert(table), [row.values() for row in rows[start : start + CHUNK]])


def count_inserts(session: Session, new: Sequence[ResultState]) -> None:
    """Add to the transaction's delta what inserting results of these states changes."""
    assets = sorted({s.asset_id for s in new})
    before = {s.pair: s for s in map(ResultState.of, _stored(session, ResultRow, assets))}
    exempted = _exempted(map(ViolationState.of, _stored(session, ViolationRow, assets)))
    after = dict(before)
    after.update((s.pair, s) for s in new)
    delta: Delta = session.info.setdefault(PENDING, Delta())
    for state in new:
        was = before.get(state.pair)
        if was is not None:
            delta.results.append((was, state.pair in exempted, -1))
        delta.results.append((state, state.pair in exempted, 1))
    states_before, states_after = _by_asset(before.values()), _by_asset(after.values())
    for asset_id in assets:
        delta.assets.append((states_before.get(asset_id, ()), -1))
        delta.assets.append((states_after.get(asset_id, ()), 1))


def apply_delta(session: Session, delta: Delta) -> None:
    """Bump the change counter (taking the tallies' lock and reading their tag keys and
    groups), then add the delta's cells for those to the tallies and drop emptied cells."""
    bumped = session.execute(
        update(TallyState)
        .where(TallyState.id == STATE_ID)
        .values(changes=TallyState.changes + 1)
        .returning(TallyState.tag_keys, TallyState.groups)
    ).first()
    if bumped is None:
        raise RuntimeError("the tally_state row is missing; run the violations migrations")
    tag_keys = tuple(bumped[0] or ())  # never built: the "" cells only, until the first build
    dialect = session.get_bind().dialect.name
    changed = delta.cells(tag_keys, group_rules(bumped[1]))
    for tally in TALLIES:
        cells = changed[tally.name]
        upsert, drop_emptied = _statements(dialect, tally)
        for start in range(0, len(cells), CHUNK):
            rows = [tally.row(key, counts) for key, counts in cells[start : start + CHUNK]]
            session.execute(upsert, rows)  # executemany: one statement, compiled once
            session.execute(drop_emptied, {"cells": [str(row["cell"]) for row in rows]})


_STATEMENTS: dict[tuple[str, str], tuple[Any, Any]] = {}


def _statements(dialect: str, tally: TallyTable) -> tuple[Any, Any]:
    """The tally's upsert (adds a cell's counts, executed with a parameter list) and the
    delete of its emptied cells among ``cells``, built once per dialect."""
    found = _STATEMENTS.get((dialect, tally.name))
    if found is None:
        insert = (postgresql if dialect == "postgresql" else sqlite).insert(tally.table)
        added = {c: tally.table.c[c] + insert.excluded[c] for c in tally.counts}
        upsert = insert.on_conflict_do_update(index_elements=["cell"], set_=added)
        emptied = and_(*(tally.table.c[c] == 0 for c in tally.counts))
        cells = tally.table.c.cell.in_(bindparam("cells", expanding=True))
        found = _STATEMENTS[(dialect, tally.name)] = (
            upsert,
            delete(tally.table).where(cells, emptied),
        )
    return found


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
    """Make ``sessions`` (the service's session factory) count into the tallies.

    ``tag_keys`` (the configured ones) mark its sessions as the app's: their reads use the
    tallies, for the keys the tallies hold (``tally_state.tag_keys``)."""
    sessions.configure(sync_session_class=TallyingSession, info={TAG_KEYS: tuple(tag_keys), **info})
