"""The value-check operators, after Cloud Custodian's value filter."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Operator:
    """One operator: whether it takes a ``value``, how it reads, and the test itself."""

    name: str
    takes_value: bool
    phrase: str
    test: Callable[[Any, Any], bool]


def _is_empty(actual: Any) -> bool:
    return actual is None or (isinstance(actual, str | list | dict) and len(actual) == 0)


def _contains(actual: Any, expected: Any) -> bool:
    return isinstance(actual, str | list | dict) and expected in actual


def _regex(actual: Any, expected: Any) -> bool:
    return isinstance(actual, str) and re.match(expected, actual) is not None


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


OPERATORS: dict[str, Operator] = {
    op.name: op
    for op in (
        Operator("eq", True, "equal", lambda a, e: a == e),
        Operator("ne", True, "not equal", lambda a, e: a != e),
        Operator("gt", True, "be greater than", _ordered(lambda a, e: a > e)),
        Operator("ge", True, "be at least", _ordered(lambda a, e: a >= e)),
        Operator("lt", True, "be less than", _ordered(lambda a, e: a < e)),
        Operator("le", True, "be at most", _ordered(lambda a, e: a <= e)),
        Operator("in", True, "be one of", lambda a, e: a in e),
        Operator("not-in", True, "not be one of", lambda a, e: a not in e),
        Operator("contains", True, "contain", _contains),
        Operator("regex", True, "match", _regex),
        Operator("absent", False, "be absent", lambda a, _e: a is None),
        Operator("present", False, "be present", lambda a, _e: a is not None),
        Operator("empty", False, "be empty", lambda a, _e: _is_empty(a)),
        Operator("not-empty", False, "not be empty", lambda a, _e: not _is_empty(a)),
    )
}
