"""CloudWatch Logs JSON filter patterns, parsed and run against sample CloudTrail events.

Two metric filters written differently (spacing, quotes, parentheses, term order, an extra
alternative) can catch the same events. Comparing their text would reject such equivalents, so
the posture connector judges a filter by what it does: it must match every event a CIS pattern
is meant to catch and none of the events that pattern leaves out (see ``_cis_monitoring``).

Filters are read from the scanned accounts, so their ``%regex%`` and ``*`` wildcards run on
RE2 (linear time): a hostile filter cannot stall a sweep. A regex RE2 cannot compile makes the
pattern unreadable, which satisfies no control.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

import re2

Event = Mapping[str, Any]
Matcher = Callable[[Event], bool]

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<and>&&) | (?P<or>\|\|) | (?P<open>\() | (?P<close>\))
    | (?P<selector>\$(?:\.[A-Za-z0-9_@-]+|\[\d+\])+)
    | (?P<op>!=|<=|>=|=|<|>)
    | (?P<keyword>NOT\s+EXISTS|IS\s+NULL|IS\s+TRUE|IS\s+FALSE|EXISTS)(?![A-Za-z0-9_])
    | (?P<quoted>"(?:[^"\\]|\\.)*")
    | (?P<regex>%[^%]+%)
    | (?P<bare>[^\s()&|"]+)
    )""",
    re.VERBOSE,
)
_MISSING = object()
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False


class FilterPatternError(ValueError):
    """The text is not a JSON filter pattern this parser understands."""


def _tokens(body: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    position = 0
    while position < len(body):
        if body[position:].strip() == "":
            break
        match = _TOKEN.match(body, position)
        if match is None or match.end() == position:
            raise FilterPatternError(f"unexpected text at {position}: {body[position:][:20]!r}")
        kind = match.lastgroup or ""
        found.append((kind, match.group(kind)))
        position = match.end()
    return found


@functools.lru_cache(maxsize=256)
def _re2(pattern: str) -> Any:
    """``pattern`` compiled by RE2; one it cannot compile is a :class:`FilterPatternError`."""
    try:
        return re2.compile(pattern, _RE2_OPTIONS)
    except re2.error as exc:
        raise FilterPatternError(f"a regex RE2 cannot compile: {pattern!r:.100}") from exc


def _lookup(event: Any, selector: str) -> Any:
    """The value at ``$.a.b[0]`` in ``event``, or ``_MISSING``."""
    value = event
    for name, index in re.findall(r"\.([A-Za-z0-9_@-]+)|\[(\d+)\]", selector):
        if name and isinstance(value, Mapping) and name in value:
            value = value[name]
        elif index and isinstance(value, list) and int(index) < len(value):
            value = value[int(index)]
        else:
            return _MISSING
    return value


def _equals(actual: Any, expected: str, quoted: bool) -> bool:
    """CloudWatch equality: ``*`` wildcards, ``%regex%``, numbers compared as numbers."""
    if actual is _MISSING or isinstance(actual, Mapping | list):
        return False
    if not quoted and len(expected) > 1 and expected.startswith("%") and expected.endswith("%"):
        return _re2(expected[1:-1]).search(str(actual)) is not None
    if isinstance(actual, bool):
        return str(actual).lower() == expected
    if isinstance(actual, int | float) and not quoted:
        try:
            return float(actual) == float(expected)
        except ValueError:
            return False
    if "*" in expected:
        wildcard = ".*".join(re2.escape(part) for part in expected.split("*"))
        return _re2(f"(?s:{wildcard})").fullmatch(str(actual)) is not None
    return str(actual) == expected


def _numeric(actual: Any, op: str, expected: str) -> bool:
    try:
        left, right = float(actual), float(expected)
    except (TypeError, ValueError):
        return False
    return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[op]


class _Parser:
    """Recursive descent over ``expr := term (|| term)*``, ``term := factor (&& factor)*``."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.at = 0

    def peek(self) -> str:
        return self.tokens[self.at][0] if self.at < len(self.tokens) else ""

    def take(self, kind: str) -> str:
        if self.peek() != kind:
            got = self.tokens[self.at][1] if self.at < len(self.tokens) else "the end"
            raise FilterPatternError(f"expected {kind}, got {got!r}")
        self.at += 1
        return self.tokens[self.at - 1][1]

    def expression(self) -> Matcher:
        alternatives = [self.term()]
        while self.peek() == "or":
            self.take("or")
            alternatives.append(self.term())
        return lambda event: any(m(event) for m in alternatives)

    def term(self) -> Matcher:
        conjuncts = [self.factor()]
        while self.peek() == "and":
            self.take("and")
            conjuncts.append(self.factor())
        return lambda event: all(m(event) for m in conjuncts)

    def factor(self) -> Matcher:
        if self.peek() == "open":
            self.take("open")
            inner = self.expression()
            self.take("close")
            return inner
        selector = self.take("selector")
        if self.peek() == "keyword":
            return _keyword(selector, " ".join(self.take("keyword").split()))
        op = self.take("op")
        if self.peek() == "quoted":
            raw, quoted = self.take("quoted")[1:-1].replace('\\"', '"'), True
        elif self.peek() == "regex":
            raw, quoted = self.take("regex"), False
            _re2(raw[1:-1])  # an unusable regex makes the whole pattern unreadable, now
        else:
            raw, quoted = self.take("bare"), False
        return _comparison(selector, op, raw, quoted)


def _keyword(selector: str, keyword: str) -> Matcher:
    tests: dict[str, Callable[[Any], bool]] = {
        "NOT EXISTS": lambda v: v is _MISSING,
        "EXISTS": lambda v: v is not _MISSING,
        "IS NULL": lambda v: v is None,
        "IS TRUE": lambda v: v is True,
        "IS FALSE": lambda v: v is False,
    }
    test = tests[keyword]
    return lambda event: test(_lookup(event, selector))


def _comparison(selector: str, op: str, expected: str, quoted: bool) -> Matcher:
    def match(event: Event) -> bool:
        actual = _lookup(event, selector)
        if actual is _MISSING:
            return False
        if op == "=":
            return _equals(actual, expected, quoted)
        if op == "!=":
            return not _equals(actual, expected, quoted)
        return _numeric(actual, op, expected)

    return match


def compile_pattern(pattern: str) -> Matcher:
    """A predicate over CloudTrail events for a ``{ ... }`` JSON filter pattern."""
    text = pattern.strip()
    if not (text.startswith("{") and text.endswith("}")):
        raise FilterPatternError("a JSON filter pattern is enclosed in { }")
    parser = _Parser(_tokens(text[1:-1]))
    matcher = parser.expression()
    if parser.at != len(parser.tokens):
        raise FilterPatternError(f"unexpected {parser.tokens[parser.at][1]!r}")
    return matcher


def normalise(pattern: str) -> str:
    """The pattern with runs of whitespace collapsed, for display and evidence."""
    return " ".join(pattern.split())
