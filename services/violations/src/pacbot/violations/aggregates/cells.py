"""What one raw row adds to the tallies (pure functions; the rebuild counts the same in SQL).

A result adds to one :class:`~pacbot.violations.models.ResultTally` cell per dimension: the
``""`` dimension (every asset), one per tracked tag key the row carries, keyed by that key and
the row's value of it, and one per asset group whose criteria admit the row, keyed
(:data:`GROUP_DIMENSION`, the group's name). The same dimensions key asset and violation
cells. Deleted results add nothing; a failure whose violation is exempted adds to
``exempted`` as well.

Each row also adds to its dimension's *roll-up* cell: the same key with account, region and
type all :data:`ALL`, so a scope without account, region or type conditions (the landing page,
a group) sums a few hundred cells instead of one per account, region and type.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pacbot.violations.compliance.scope import Constraints

DECIDED = ("pass", "fail")
# Count columns of each tally, in the order a cell's counts are kept.
RESULT_COUNTS = ("passing", "failing", "exempted", "unknown", "not_applicable")
ASSET_COUNTS = ("evaluated", "unknown")
VIOLATION_COUNTS = ("violations",)
# Key columns after the dimension (tag_key, tag_value), in the order a cell key holds them.
RESULT_KEY = (
    "account_id",
    "region",
    "resource_type",
    "policy_id",
    "policy_name",
    "severity",
    "category",
)
ASSET_KEY = ("account_id", "region", "resource_type")
VIOLATION_KEY = ("account_id", "region", "resource_type", "severity", "status")

Key = tuple[str, ...]
Counts = tuple[int, ...]
ALL = "*"
"""Account, region and type of a roll-up cell (no account id, region or type is "*")."""
ROLLED_UP = 3  # every key starts with account_id, region, resource_type
GROUP_DIMENSION = "#group"
"""The dimension key of group cells ('#' cannot start a tag key AWS accepts, nor a tracked one)."""
MAX_GROUP_NAME = 1024  # the tag_value column's width
Groups = tuple[tuple[str, Constraints], ...]
"""Asset groups the tallies count by: (name, what its criteria admit), by name."""


def countable(criteria: Mapping[str, Any]) -> bool:
    """True when SQL can recount a group's cells (every tag key addressable in SQL)."""
    return not Constraints().narrowed(criteria).python_tags


def group_rules(groups: Mapping[str, Any] | None) -> Groups:
    """The groups stored in ``tally_state.groups`` ({name: criteria}) as rules, by name."""
    if not groups:
        return ()
    return _rules(json.dumps(groups, sort_keys=True))


@lru_cache(maxsize=16)
def _rules(text: str) -> Groups:
    groups: dict[str, Any] = json.loads(text)
    return tuple((name, Constraints().narrowed(groups[name])) for name in sorted(groups))


@dataclass(frozen=True)
class ResultState:
    """The columns of a result that the tallies depend on."""

    asset_id: str
    policy_id: str
    status: str
    deleted: bool
    account_id: str
    region: str
    resource_type: str
    policy_name: str
    severity: str
    category: str
    tags: Mapping[str, Any]

    @classmethod
    def of(cls, row: Any) -> ResultState:
        """From an ORM row or a result row with the same attribute names."""
        return cls(
            asset_id=row.asset_id,
            policy_id=row.policy_id,
            status=row.status,
            deleted=bool(row.deleted),
            account_id=row.account_id,
            region=row.region,
            resource_type=row.resource_type,
            policy_name=row.policy_name,
            severity=row.severity,
            category=row.category,
            tags=dict(row.tags or {}),
        )

    @property
    def pair(self) -> tuple[str, str]:
        """(asset id, policy id): the result's identity."""
        return (self.asset_id, self.policy_id)


@dataclass(frozen=True)
class ViolationState:
    """The columns of a violation that the tallies depend on."""

    violation_id: str
    asset_id: str
    policy_id: str
    status: str
    account_id: str
    region: str
    resource_type: str
    severity: str
    tags: Mapping[str, Any]

    @classmethod
    def of(cls, row: Any) -> ViolationState:
        """From an ORM row or a result row with the same attribute names."""
        return cls(
            violation_id=row.violation_id,
            asset_id=row.asset_id,
            policy_id=row.policy_id,
            status=row.status,
            account_id=row.account_id,
            region=row.region,
            resource_type=row.resource_type,
            severity=row.severity,
            tags=dict(row.tags or {}),
        )

    @property
    def pair(self) -> tuple[str, str]:
        """(asset id, policy id) of the failing result it stands for."""
        return (self.asset_id, self.policy_id)


def dimensions(
    row: ResultState | ViolationState, tag_keys: Sequence[str], groups: Groups
) -> list[tuple[str, str]]:
    """``("", "")``, (key, value) for each tracked tag key the row carries and
    (:data:`GROUP_DIMENSION`, name) for each group that admits it."""
    tags = row.tags
    return [
        ("", ""),
        *((key, tags[key]) for key in tag_keys if isinstance(tags.get(key), str)),
        *((GROUP_DIMENSION, name) for name, rule in groups if rule.admits_row(row)),
    ]


def _with_rollup(dims: list[tuple[str, str]], key: Key) -> list[Key]:
    """Per dimension, the row's cell key and its roll-up's."""
    rollup = (ALL,) * ROLLED_UP + key[ROLLED_UP:]
    return [cell for dim in dims for cell in ((*dim, *key), (*dim, *rollup))]


def result_counts(status: str, exempted: bool) -> Counts:
    """A result's counts, in :data:`RESULT_COUNTS` order (as the summary counts it)."""
    if status == "pass":
        return (1, 0, 0, 0, 0)
    if status == "fail":
        return (0, 1, 1 if exempted else 0, 0, 0)
    if status == "error":
        return (0, 0, 0, 1, 0)
    return (0, 0, 0, 0, 1)


def result_cells(
    state: ResultState | None, exempted: bool, tag_keys: Sequence[str], groups: Groups = ()
) -> list[tuple[Key, Counts]]:
    """The result cells one stored result adds to (none when absent or deleted)."""
    if state is None or state.deleted:
        return []
    counts = result_counts(state.status, exempted)
    key = tuple(getattr(state, name) for name in RESULT_KEY)
    return [(cell, counts) for cell in _with_rollup(dimensions(state, tag_keys, groups), key)]


def asset_cells(
    states: Iterable[ResultState], tag_keys: Sequence[str], groups: Groups = ()
) -> dict[Key, Counts]:
    """The asset cells one asset adds to, from all its stored results: 1 where any counts."""
    evaluated: set[Key] = set()
    unknown: set[Key] = set()
    cells_of: dict[Any, list[Key]] = {}  # an asset's results share account, region, type, tags
    for state in states:
        if state.deleted or (state.status not in DECIDED and state.status != "error"):
            continue
        where = tuple(getattr(state, name) for name in ASSET_KEY)
        into = evaluated if state.status in DECIDED else unknown
        try:
            seen: Any = (where, tuple(sorted(state.tags.items())))
            cells = cells_of.get(seen)
        except TypeError:  # a tag value that cannot be hashed: worked out for this row
            seen, cells = None, None
        if cells is None:
            cells = _with_rollup(dimensions(state, tag_keys, groups), where)
            if seen is not None:
                cells_of[seen] = cells
        into.update(cells)
    return {key: (int(key in evaluated), int(key in unknown)) for key in evaluated | unknown}


def violation_cells(
    state: ViolationState | None, tag_keys: Sequence[str], groups: Groups = ()
) -> list[tuple[Key, Counts]]:
    """The violation cells one violation adds to."""
    if state is None:
        return []
    key = tuple(getattr(state, name) for name in VIOLATION_KEY)
    return [(cell, (1,)) for cell in _with_rollup(dimensions(state, tag_keys, groups), key)]


def cell_id(key: Key) -> str:
    """The digest that names a cell (its key columns can be long)."""
    return hashlib.sha256(json.dumps(key, separators=(",", ":")).encode()).hexdigest()[:40]
