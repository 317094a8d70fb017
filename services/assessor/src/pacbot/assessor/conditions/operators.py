"""The value-check operators, after Cloud Custodian's value filter (``c7n.filters.core``)."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Operator:
    """One operator: whether it takes a ``value``, how it reads, and the test itself.

    ``test(actual, expected)`` returns the verdict; raising ``TypeError`` means the two sides
    cannot be compared, which the condition reports as an ``error`` result.
    """

    name: str
    takes_value: bool
    phrase: str
    test: Callable[[Any, Any], bool]
    description: str = ""


def _is_empty(actual: Any) -> bool:
    return actual is None or (isinstance(actual, str | list | dict) and len(actual) == 0)


def _contains(actual: Any, expected: Any) -> bool:
    if not isinstance(actual, str | list | dict | tuple | set | frozenset):
        return False
    if isinstance(actual, str) and not isinstance(expected, str):
        return False
    return expected in actual


def _regex(actual: Any, expected: Any) -> bool:
    return isinstance(actual, str) and re.match(expected, actual, re.IGNORECASE) is not None


def _regex_case(actual: Any, expected: Any) -> bool:
    return isinstance(actual, str) and re.match(expected, actual) is not None


def _glob(actual: Any, expected: Any) -> bool:
    return isinstance(actual, str) and fnmatch.fnmatchcase(actual, expected)


def _ordered(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def test(actual: Any, expected: Any) -> bool:
        if actual is None:
            return False
        try:
            return compare(actual, expected)
        except TypeError as exc:
            raise TypeError(
                f"cannot compare {type(actual).__name__} with {type(expected).__name__}"
            ) from exc

    return test


def _members(value: Any, side: str) -> list[Any]:
    """A collection operand as a list: a scalar string counts as a one-element list."""
    if isinstance(value, str | int | float | bool):
        return [value]
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    if isinstance(value, dict):
        return list(value)
    raise TypeError(f"{side} is a {type(value).__name__}, not a list")


def _hashable(items: list[Any]) -> set[Any]:
    try:
        return set(items)
    except TypeError:
        return {repr(item) for item in items}


def _intersect(actual: Any, expected: Any) -> bool:
    if actual is None:
        return False
    return bool(_hashable(_members(actual, "key")) & _hashable(_members(expected, "value")))


def _difference(actual: Any, expected: Any) -> bool:
    if actual is None:
        return False
    return bool(_hashable(_members(actual, "key")) - _hashable(_members(expected, "value")))


def _in(actual: Any, expected: Any) -> bool:
    try:
        return actual in expected
    except TypeError as exc:
        raise TypeError(f"cannot look for {type(actual).__name__} in the value") from exc


OPERATORS: dict[str, Operator] = {
    op.name: op
    for op in (
        Operator("eq", True, "equal", lambda a, e: a == e, "key equals value"),
        Operator("ne", True, "not equal", lambda a, e: a != e, "key differs from value"),
        Operator("gt", True, "be greater than", _ordered(lambda a, e: a > e), "key > value"),
        Operator("ge", True, "be at least", _ordered(lambda a, e: a >= e), "key >= value"),
        Operator("lt", True, "be less than", _ordered(lambda a, e: a < e), "key < value"),
        Operator("le", True, "be at most", _ordered(lambda a, e: a <= e), "key <= value"),
        Operator("in", True, "be one of", _in, "key is one of the value list"),
        Operator(
            "not-in", True, "not be one of", lambda a, e: not _in(a, e), "key is not in the list"
        ),
        Operator("contains", True, "contain", _contains, "key (list/string/map) contains value"),
        Operator(
            "intersect",
            True,
            "share an element with",
            _intersect,
            "key list and value list share at least one element",
        ),
        Operator(
            "difference",
            True,
            "have an element outside",
            _difference,
            "key list has at least one element not in the value list",
        ),
        Operator("regex", True, "match", _regex, "key matches the regex (case-insensitive)"),
        Operator(
            "regex-case",
            True,
            "match (case-sensitive)",
            _regex_case,
            "key matches the regex (case-sensitive)",
        ),
        Operator("glob", True, "match the glob", _glob, "key matches the shell glob"),
        Operator("absent", False, "be absent", lambda a, _e: a is None, "key is missing or null"),
        Operator("present", False, "be present", lambda a, _e: a is not None, "key is not null"),
        Operator("empty", False, "be empty", lambda a, _e: _is_empty(a), "null, '' , [] or {}"),
        Operator(
            "not-empty",
            False,
            "not be empty",
            lambda a, _e: not _is_empty(a),
            "present and not '', [] or {}",
        ),
        Operator("not-null", False, "be set", lambda a, _e: bool(a), "key is truthy"),
    )
}

ALIASES: dict[str, str] = {
    "equal": "eq",
    "not-equal": "ne",
    "greater-than": "gt",
    "gte": "ge",
    "less-than": "lt",
    "lte": "le",
    "ni": "not-in",
}


def lookup(name: Any) -> Operator | None:
    """The operator called ``name`` (or one of Custodian's aliases for it)."""
    if not isinstance(name, str):
        return None
    return OPERATORS.get(ALIASES.get(name, name))
