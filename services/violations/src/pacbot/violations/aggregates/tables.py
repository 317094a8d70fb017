"""The three tally tables as the maintenance and the rebuild see them: key and count columns."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table

from pacbot.violations.aggregates.cells import (
    ASSET_COUNTS,
    ASSET_KEY,
    RESULT_COUNTS,
    RESULT_KEY,
    VIOLATION_COUNTS,
    VIOLATION_KEY,
    Counts,
    Key,
    cell_id,
)
from pacbot.violations.models import AssetTally, Base, ResultTally, ViolationTally

DIMENSION = ("tag_key", "tag_value")


@dataclass(frozen=True)
class TallyTable:
    """A tally table, its key columns (dimension first) and its count columns."""

    name: str
    table: Table
    key: tuple[str, ...]
    counts: tuple[str, ...]

    def row(self, key: Key, counts: Counts) -> dict[str, object]:
        """The table row of one cell."""
        return {
            "cell": cell_id(key),
            **dict(zip(self.key, key, strict=True)),
            **dict(zip(self.counts, counts, strict=True)),
        }


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


RESULTS = TallyTable("results", _table(ResultTally), (*DIMENSION, *RESULT_KEY), RESULT_COUNTS)
ASSETS = TallyTable("assets", _table(AssetTally), (*DIMENSION, *ASSET_KEY), ASSET_COUNTS)
VIOLATIONS = TallyTable(
    "violations", _table(ViolationTally), (*DIMENSION, *VIOLATION_KEY), VIOLATION_COUNTS
)
TALLIES = (RESULTS, ASSETS, VIOLATIONS)
