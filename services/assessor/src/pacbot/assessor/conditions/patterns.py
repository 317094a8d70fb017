"""The regular expressions and globs of policy conditions, on RE2: linear time in the text.

A condition's pattern can come from a caller (a what-if draft, a parameter override) or, under
``value_type: swap``, from the asset itself, and Python's backtracking ``re`` can take
exponential time on a pattern such as ``(a+)+$``. Every condition pattern, shipped packs
included, therefore runs on RE2 (``google-re2``), so a pattern behaves the same wherever it
comes from. RE2 has no backreferences and no lookaround, and writes the end of the text as
``\\z`` (Python's ``\\Z``); such a pattern is refused with a message saying why.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import re2

Matcher = Callable[[str], bool]
_NEVER = r"[^\x00-\x{10FFFF}]"  # an empty class, which RE2 cannot spell as []


class PatternError(ValueError):
    """A pattern RE2 cannot compile; the message says what is wrong."""


def _options(*, ignore_case: bool) -> Any:
    options = re2.Options()
    options.case_sensitive = not ignore_case
    options.log_errors = False
    return options


_IGNORE_CASE = _options(ignore_case=True)
_CASE_SENSITIVE = _options(ignore_case=False)


def _compile(pattern: str, ignore_case: bool) -> Any:
    try:
        return re2.compile(pattern, _IGNORE_CASE if ignore_case else _CASE_SENSITIVE)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise PatternError(
            f"invalid regular expression {pattern!r:.200}: {reason} (RE2 syntax: no "
            r"backreferences or lookaround; \z ends the text)"
        ) from exc


def check(pattern: str) -> None:
    """Raise :class:`PatternError` unless ``pattern`` compiles (checked once, at load)."""
    _compile(pattern, ignore_case=False)


@functools.lru_cache(maxsize=256)
def regex(pattern: str, *, ignore_case: bool) -> Matcher:
    """A test: does the text match ``pattern`` at its start (like ``re.match``)?"""
    match = _compile(pattern, ignore_case).match
    return lambda text: match(text) is not None


@functools.lru_cache(maxsize=256)
def glob(pattern: str) -> Matcher:
    """A test: does the whole text match the shell glob (``fnmatch.fnmatchcase``)?"""
    match = _compile(glob_to_regex(pattern), ignore_case=False).match
    return lambda text: match(text) is not None


def glob_to_regex(pattern: str) -> str:
    """``fnmatch.translate`` for RE2: ``*``, ``?``, ``[seq]`` and ``[!seq]``, anchored."""
    parts: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        i += 1
        if c == "*":
            if not parts or parts[-1] != ".*":
                parts.append(".*")
        elif c == "?":
            parts.append(".")
        elif c == "[":
            end = _class_end(pattern, i)
            if end is None:
                parts.append(r"\[")
            else:
                parts.append(_char_class(pattern[i:end]))
                i = end + 1
        else:
            parts.append(re2.escape(c))
    return "(?s:" + "".join(parts) + r")\z"


def _class_end(pattern: str, start: int) -> int | None:
    """The index of the ``]`` closing a class opened just before ``start`` (fnmatch's rule)."""
    j = start
    if j < len(pattern) and pattern[j] == "!":
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        j += 1
    return j if j < len(pattern) else None


def _char_class(body: str) -> str:
    negate = body.startswith("!")
    if negate:
        body = body[1:]
    members: list[str] = []
    k = 0
    while k < len(body):
        if k + 2 < len(body) and body[k + 1] == "-":
            low, high = body[k], body[k + 2]
            if low <= high:  # fnmatch drops an empty range such as z-a
                members.append(f"{_literal(low)}-{_literal(high)}")
            k += 3
        else:
            members.append(_literal(body[k]))
            k += 1
    if not members:
        return "." if negate else _NEVER
    return "[" + ("^" if negate else "") + "".join(members) + "]"


def _literal(char: str) -> str:
    """One character inside a class, escaped when it means something there."""
    return "\\" + char if char in "\\]^-[" else char
