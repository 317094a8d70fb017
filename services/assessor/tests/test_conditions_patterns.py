"""Condition patterns run on RE2: linear time whatever the pattern or the text, one behaviour
for shipped packs and drafts, and clear errors for what RE2 cannot do."""

from __future__ import annotations

import fnmatch
import itertools
from typing import Any

import pytest

from pacbot.assessor.conditions import CHECKS, Outcome, compile_condition
from pacbot.assessor.conditions.patterns import PatternError, glob, regex
from pacbot.assessor.policies.loader import PolicyError, load_text
from services.assessor.tests.test_conditions_load_errors import HEAD

# Backtracking engines take exponential time on these against a long run of "a" and a "!".
CATASTROPHIC = ["(a+)+$", "(a|aa)+$", "(a|a?)+$", "^(a*)*$", "(.*a){12}$"]
HOSTILE_TEXT = "a" * 50_000 + "!"


def verdict(raw: dict[str, Any], config: dict[str, Any], **params: Any) -> Outcome:
    return compile_condition(raw, ("condition",), params, CHECKS).evaluate(config, params)


@pytest.mark.timeout(60, method="thread")  # a backtracking engine would never finish
@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_a_catastrophic_pattern_runs_in_linear_time(pattern: str) -> None:
    for op in ("regex", "regex-case"):
        raw = {"key": "Name", "op": op, "value": pattern}
        assert verdict(raw, {"Name": HOSTILE_TEXT}).status == "fail"
    # under value_type swap the asset supplies the pattern; it is just as harmless
    swapped = {"key": "Pattern", "op": "regex", "value_type": "swap", "value": HOSTILE_TEXT}
    assert verdict(swapped, {"Pattern": pattern}).status == "fail"
    from_param = {"key": "Name", "op": "regex", "value": {"param": "pattern"}}
    assert verdict(from_param, {"Name": HOSTILE_TEXT}, pattern=pattern).status == "fail"


@pytest.mark.parametrize(
    ("pattern", "fragment"),
    [
        (r"(a)\1", "invalid escape sequence"),  # a backreference
        ("(?=a)b", "invalid perl operator"),  # lookahead
        ("(?<!a)b", "invalid perl operator"),  # lookbehind
        (r"^prod\Z", "invalid escape sequence"),  # Python's end of text; RE2 says \z
        ("a{1001}", "invalid repetition size"),
        ("(unclosed", "missing )"),
    ],
)
def test_what_re2_cannot_do_is_a_load_error_naming_the_place(pattern: str, fragment: str) -> None:
    loaded = load_text(HEAD + f"    - {{key: A, op: regex, value: '{pattern}'}}\n", "aws/x.yaml")
    assert isinstance(loaded, PolicyError), loaded
    assert (loaded.file, loaded.line, loaded.path) == ("aws/x.yaml", 14, "condition.and[1].value")
    assert "invalid regular expression" in loaded.message
    assert fragment in loaded.message
    assert "RE2 syntax" in loaded.message


def test_an_unusable_pattern_from_a_param_override_is_an_error_result() -> None:
    raw = {"key": "Name", "op": "regex", "value": {"param": "pattern"}}
    condition = compile_condition(raw, ("condition",), {"pattern": "^a"}, CHECKS)
    outcome = condition.evaluate({"Name": "abc"}, {"pattern": "(a)\\1"})
    assert outcome.status == "error"
    assert "invalid regular expression" in outcome.reason


def test_regex_matches_at_the_start_like_re_match_and_folds_case_when_asked() -> None:
    assert regex("^prod-", ignore_case=True)("PROD-db")
    assert not regex("^prod-", ignore_case=False)("PROD-db")
    assert regex("db", ignore_case=False)("db-prod")
    assert not regex("db", ignore_case=False)("prod-db")  # anchored at the start, not a search
    assert regex(r"\d+$", ignore_case=False)("123")
    with pytest.raises(PatternError):
        regex("(?P<x>a)(?P=x)", ignore_case=False)


GLOBS = [
    "*", "", "a*b", "a*b*c*d", "[a-c]x", "[!a-c]x", "[]]", "[!]]", "x[", "[z-a]", "[!z-a]",
    "*.txt", "a?c", "[a-]", "[-a]", "\\*", "[\\]", "**", "[^a]", "[a-c-e]", "web-*", "?", "[[]",
    "a.b", "(x)", "+", "[!]",
]  # fmt: skip
TEXTS = [
    "", "a", "ab", "acb", "aXbYcZd", "]", "!", "-", "x[", "zx", "bx", "dx", "f.txt", "a\nb",
    "abc", "\\", "\\*", "^", "[", "web-1", "Web-1", "a.b", "axb", "(x)", "+", "d",
]  # fmt: skip


@pytest.mark.parametrize(("pattern", "text"), list(itertools.product(GLOBS, TEXTS)))
def test_glob_agrees_with_fnmatchcase(pattern: str, text: str) -> None:
    assert glob(pattern)(text) is fnmatch.fnmatchcase(text, pattern), (pattern, text)
