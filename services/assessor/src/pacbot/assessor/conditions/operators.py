"""The value-check operators, after Cloud Custodian's value filter (``c7n.filters.core``)."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pacbot.assessor.conditions import patterns

Test = Callable[[Any], bool]


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
    specialise: Callable[[Any], Test] | None = None

    def bind(self, expected: Any) -> Test:
        """``test`` with ``expected`` fixed, specialised once (a compiled pattern, a member set).

        When the value does not fit the specialisation (a pattern that does not compile, a
        value that is not a list), the plain ``test`` runs instead so the error surfaces at
        evaluation exactly as before.
        """
        if self.specialise is not None:
            try:
                return self.specialise(expected)
            except (TypeError, ValueError):  # incl. patterns.PatternError
                pass
        test = self.test
        return lambda actual: test(actual, expected)


def _is_empty(actual: Any) -> bool:
    return actual is None or (isinstance(actual, str | list | dict) and len(actual) == 0)


def _is_not_empty(actual: Any) -> bool:
    return not _is_empty(actual)


def _contains(actual: Any, expected: Any) -> bool:
    if not isinstance(actual, str | list | dict | tuple | set | frozenset):
        return False
    if isinstance(actual, str) and not isinstance(expected, str):
        return False
    return expected in actual


def _pattern(expected: Any) -> str:
    if not isinstance(expected, str):
        raise TypeError(f"the pattern is a {type(expected).__name__}, not a string")
    return expected


def _regex(actual: Any, expected: Any) -> bool:
    return isinstance(actual, str) and patterns.regex(_pattern(expected), ignore_case=True)(actual)


def _regex_case(actual: Any, expected: Any) -> bool:
    return isinstance(actual, str) and patterns.regex(_pattern(expected), ignore_case=False)(actual)


def _glob(actual: Any, expected: Any) -> bool:
    return isinstance(actual, str) and patterns.glob(_pattern(expected))(actual)


def _regex_bound(ignore_case: bool) -> Callable[[Any], Test]:
    def specialise(expected: Any) -> Test:
        matches = patterns.regex(_pattern(expected), ignore_case=ignore_case)
        return lambda actual: isinstance(actual, str) and matches(actual)

    return specialise


def _glob_bound(expected: Any) -> Test:
    matches = patterns.glob(_pattern(expected))
    return lambda actual: isinstance(actual, str) and matches(actual)


def _unary(check: Test) -> Callable[[Any], Test]:
    return lambda _expected: check


def _unary_test(check: Test) -> Callable[[Any, Any], bool]:
    return lambda actual, _expected: check(actual)


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


def _in_bound(negate: bool) -> Callable[[Any], Test]:
    def specialise(expected: Any) -> Test:
        def test(actual: Any) -> bool:
            try:
                return (actual in expected) is not negate
            except TypeError as exc:
                raise TypeError(f"cannot look for {type(actual).__name__} in the value") from exc

        return test

    return specialise


def _set_bound(combine: Callable[[set[Any], set[Any]], set[Any]]) -> Callable[[Any], Test]:
    """intersect / difference against a value whose members are computed once."""

    def specialise(expected: Any) -> Test:
        members = _hashable(_members(expected, "value"))

        def test(actual: Any) -> bool:
            if actual is None:
                return False
            return bool(combine(_hashable(_members(actual, "key")), members))

        return test

    return specialise


def _intersect(actual: Any, expected: Any, sides: tuple[str, str] = ("key", "value")) -> bool:
    if actual is None:
        return False
    return bool(_hashable(_members(actual, sides[0])) & _hashable(_members(expected, sides[1])))


def _difference(actual: Any, expected: Any, sides: tuple[str, str] = ("key", "value")) -> bool:
    if actual is None:
        return False
    return bool(_hashable(_members(actual, sides[0])) - _hashable(_members(expected, sides[1])))


def _in(actual: Any, expected: Any, container: str = "the value") -> bool:
    try:
        return actual in expected
    except TypeError as exc:
        raise TypeError(f"cannot look for {type(actual).__name__} in {container}") from exc


OPERATORS: dict[str, Operator] = {
    op.name: op
    for op in (
        Operator(
            "eq",
            True,
            "equal",
            lambda a, e: a == e,
            "key equals value",
            lambda e: lambda a: a == e,
        ),
        Operator(
            "ne",
            True,
            "not equal",
            lambda a, e: a != e,
            "key differs from value",
            lambda e: lambda a: a != e,
        ),
        Operator(
            "gt",
            True,
            "be greater than",
            _ordered(operator.gt),
            "key > value",
        ),
        Operator(
            "ge",
            True,
            "be at least",
            _ordered(operator.ge),
            "key >= value",
        ),
        Operator(
            "lt",
            True,
            "be less than",
            _ordered(operator.lt),
            "key < value",
        ),
        Operator(
            "le",
            True,
            "be at most",
            _ordered(operator.le),
            "key <= value",
        ),
        Operator("in", True, "be one of", _in, "key is one of the value list", _in_bound(False)),
        Operator(
            "not-in",
            True,
            "not be one of",
            lambda a, e: not _in(a, e),
            "key is not in the list",
            _in_bound(True),
        ),
        Operator("contains", True, "contain", _contains, "key (list/string/map) contains value"),
        Operator(
            "intersect",
            True,
            "share an element with",
            _intersect,
            "key list and value list share at least one element",
            _set_bound(set.__and__),
        ),
        Operator(
            "difference",
            True,
            "have an element outside",
            _difference,
            "key list has at least one element not in the value list",
            _set_bound(set.__sub__),
        ),
        Operator(
            "regex",
            True,
            "match",
            _regex,
            "key matches the regex (case-insensitive)",
            _regex_bound(ignore_case=True),
        ),
        Operator(
            "regex-case",
            True,
            "match (case-sensitive)",
            _regex_case,
            "key matches the regex (case-sensitive)",
            _regex_bound(ignore_case=False),
        ),
        Operator("glob", True, "match the glob", _glob, "key matches the shell glob", _glob_bound),
        *(
            Operator(name, False, phrase, _unary_test(check), description, _unary(check))
            for name, phrase, check, description in (
                ("absent", "be absent", lambda a: a is None, "key is missing or null"),
                ("present", "be present", lambda a: a is not None, "key is not null"),
                ("empty", "be empty", _is_empty, "null, '' , [] or {}"),
                ("not-empty", "not be empty", _is_not_empty, "present and not '', [] or {}"),
                ("not-null", "be set", bool, "key is truthy"),
            )
        ),
    )
}


@dataclass(frozen=True)
class Swapped:
    """How an operator reads under ``value_type: swap``, where it tests (value, key).

    ``phrase`` keeps the key as the subject of the reason ("keys(Tags) should lack an element
    of [...]" for a swapped ``difference``); ``test``, when given, replaces the operator's own
    so that its error messages name the two sides the right way round.
    """

    phrase: str
    test: Callable[[Any, Any], bool] | None = None


_SWAPPED_SIDES = ("value", "key")
SWAPPED: dict[str, Swapped] = {
    "eq": Swapped("equal"),
    "ne": Swapped("not equal"),
    "gt": Swapped("be less than"),
    "ge": Swapped("be at most"),
    "lt": Swapped("be greater than"),
    "le": Swapped("be at least"),
    "in": Swapped("contain", lambda v, k: _in(v, k, "the key")),
    "not-in": Swapped("not contain", lambda v, k: not _in(v, k, "the key")),
    "contains": Swapped("be contained in"),
    "intersect": Swapped("share an element with", lambda v, k: _intersect(v, k, _SWAPPED_SIDES)),
    "difference": Swapped("lack an element of", lambda v, k: _difference(v, k, _SWAPPED_SIDES)),
    "regex": Swapped("be a regex matching"),
    "regex-case": Swapped("be a regex matching (case-sensitive)"),
    "glob": Swapped("be a glob matching"),
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
