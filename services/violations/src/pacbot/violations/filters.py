"""Query filters shared by the violations listing, the exports and the compliance scopes.

Tag filters follow the inventory's ``tag=KEY=VALUE`` (``KEY:VALUE`` is accepted too when the
text has no ``=``). Repeated tags mean any of the values of one key, and every key.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement

from pacbot.common.web import DomainError

# SQLite addresses a JSON key as $."key": AWS tag keys never contain a quote or a backslash.
FORBIDDEN_KEY_CHARACTERS = ('"', "\\")


def parse_tags(pairs: Iterable[str], field: str = "tag") -> dict[str, list[str]]:
    """``KEY=VALUE`` (or ``KEY:VALUE``) filters grouped by key; malformed ones are a 400."""
    wanted: dict[str, list[str]] = {}
    for pair in pairs:
        separator = "=" if "=" in pair else ":"
        key, sep, value = pair.partition(separator)
        if not sep or not key:
            raise DomainError(
                f"tag filter {pair!r} must look like KEY=VALUE (or KEY:VALUE)", field=field
            )
        if any(c in key for c in FORBIDDEN_KEY_CHARACTERS):
            raise DomainError(f"tag key {key!r} must not contain '\"' or '\\'", field=field)
        values = wanted.setdefault(key, [])
        if value not in values:
            values.append(value)
    return wanted


def sql_tag_key(key: str) -> bool:
    """True when SQL can address the tag key on both databases (see FORBIDDEN_KEY_CHARACTERS)."""
    return not any(c in key for c in FORBIDDEN_KEY_CHARACTERS)


def tag_clauses(column: Any, wanted: dict[str, list[str]]) -> list[ColumnElement[bool]]:
    """SQL conditions on a JSON tags column: per key, its value is one of the wanted ones.

    ``column[key].as_string()`` is ``json_extract`` on SQLite and ``->>`` on PostgreSQL.
    """
    return [column[key].as_string().in_(values) for key, values in sorted(wanted.items())]


def any_of(column: Any, values: Sequence[str] | None) -> list[ColumnElement[bool]]:
    """``column`` equals one of ``values``; no condition when none are given."""
    if not values:
        return []
    if len(values) == 1:
        return [column == values[0]]
    return [column.in_(list(values))]


def canonical_tags(wanted: dict[str, list[str]]) -> list[str]:
    """A stable text form of tag filters (for snapshot scope keys)."""
    return [f"{key}={value}" for key in sorted(wanted) for value in sorted(wanted[key])]
