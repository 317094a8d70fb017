"""Lint reports every mistake of a policy document in one pass, each at its line."""

from __future__ import annotations

from typing import Any

import pytest

from pacbot.assessor.conditions import CHECKS, ConditionError, compile_condition
from pacbot.assessor.conditions.compiler import diagnose_condition
from pacbot.assessor.policies.lint import LintResult, lint_text
from pacbot.assessor.policies.loader import PolicyError, load_text

HEAD = """\
id: demo
version: 1
name: Demo
description: Lint tests.
resource: aws.s3.bucket
severity: low
category: security
remediation: {text: Fix it.}
params:
  days: {default: 90}
condition:
  and:
    - {key: Name, op: present}
    - {key: CreationDate, op: gt, value: {param: days}, value_type: age}
"""


def lint(text: str, **kwargs: Any) -> LintResult:
    return lint_text(text, "aws/demo.yaml", **kwargs)


def found(result: LintResult) -> list[tuple[int, str, str]]:
    return [(p.line, p.path, p.severity) for p in result.problems]


def line_no(text: str, fragment: str) -> int:
    """The 1-based line of the first line of ``text`` containing ``fragment``."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_a_clean_document_has_no_problems() -> None:
    result = lint(HEAD)
    assert result.problems == []
    assert (result.policy_id, result.id_line, result.errors) == ("demo", 1, 0)


def test_every_validation_error_is_reported_at_its_own_line() -> None:
    text = HEAD.replace("version: 1", "version: one").replace("low", "tiny")
    text = text.replace("category: security", "category: security\nowner: me")
    result = lint(text)
    assert found(result) == [
        (2, "version", "error"),
        (6, "severity", "error"),
        (8, "owner", "error"),
    ]
    assert result.problems[2].message == "unknown field"
    assert str(result.problems[0]).startswith("aws/demo.yaml:2: version: ")
    assert result.problems[0].described().startswith("aws/demo.yaml:2: version: error: ")


def test_every_condition_problem_of_the_tree_is_reported() -> None:
    text = HEAD + (
        "    - {key: Name, op: similar, value: x}\n"
        "    - {key: Name, op: eq}\n"
        "    - {key: Name, op: present, value: 1}\n"
        "    - {key: 'a[', op: present, colour: red}\n"
        "    - {check: no-such-check}\n"
        "    - not: {or: []}\n"
    )
    result = lint(text)
    assert found(result) == [
        (15, "condition.and[2].op", "error"),
        (16, "condition.and[3]", "error"),
        (17, "condition.and[4].value", "error"),
        (18, "condition.and[5].colour", "error"),
        (18, "condition.and[5].key", "error"),
        (19, "condition.and[6].check", "error"),
        (20, "condition.and[7].not.or", "error"),
    ]
    messages = [p.message for p in result.problems]
    assert "unknown operator 'similar'" in messages[0]
    assert messages[1] == "operator 'eq' needs a value"
    assert messages[2] == "operator 'present' takes no value"
    assert messages[4].startswith("invalid JMESPath 'a['")


def test_params_used_but_not_declared_are_errors_and_unused_ones_warnings() -> None:
    text = HEAD.replace("  days: {default: 90}", "  days: {default: 90}\n  spare: {default: 1}")
    text += "    - {key: Name, op: in, value: {param: names}}\n"
    result = lint(text)
    assert found(result) == [
        (line_no(text, "spare"), "params.spare", "warning"),
        (line_no(text, "names"), "condition.and[2].value.param", "error"),
    ]
    assert result.problems[0].message == "param 'spare' is declared but never used"
    assert "unknown param 'names'; expected one of days, spare" in result.problems[1].message


def test_a_param_with_a_broken_declaration_is_reported_once() -> None:
    text = HEAD.replace("  days: {default: 90}", "  days: {description: no default}")
    result = lint(text)
    assert found(result) == [(10, "params.days.default", "error")]
    assert result.problems[0].message == "required field is missing"


def test_a_param_name_that_is_no_string_is_an_error_not_a_crash() -> None:
    text = HEAD + "    - {key: Name, op: eq, value: {param: [days]}}\n"
    assert found(lint(text)) == [(15, "condition.and[2].value.param", "error")]
    loaded = load_text(text, "aws/demo.yaml")
    assert isinstance(loaded, PolicyError)
    assert loaded.message == "expected a param name (a string)"


def test_examples_that_disagree_with_the_condition_name_index_and_verdicts() -> None:
    text = HEAD + (
        "examples:\n"
        "  pass:\n"
        "    - {Name: b, CreationDate: '2020-01-01T00:00:00Z'}\n"
        "    - {CreationDate: '2020-01-01T00:00:00Z'}\n"
        "  fail:\n"
        "    - {Name: b, CreationDate: '2020-01-01T00:00:00Z'}\n"
    )
    result = lint(text)
    assert found(result) == [
        (18, "examples.pass[1]", "error"),
        (20, "examples.fail[0]", "error"),
    ]
    assert result.problems[0].message.startswith("example expected pass, got fail: ")
    assert result.problems[1].message.startswith("example expected fail, got pass: ")


def test_examples_run_even_when_unrelated_metadata_is_wrong() -> None:
    old = "{Name: b, CreationDate: '2020-01-01T00:00:00Z'}"
    text = HEAD.replace("low", "tiny") + f"examples:\n  fail:\n    - {old}\n"
    assert found(lint(text)) == [(6, "severity", "error"), (17, "examples.fail[0]", "error")]


def test_keys_go_through_the_key_check_with_their_resource_type() -> None:
    seen: list[tuple[str, str]] = []

    def key_check(resource: str, key: str) -> str | None:
        seen.append((resource, key))
        return "no such attribute" if key.startswith("Creation") else None

    text = HEAD + "    - {check: credential-age, key: Tags, max_days: 3}\n"
    result = lint(text, key_check=key_check)
    assert seen == [
        ("aws.s3.bucket", "Name"),
        ("aws.s3.bucket", "CreationDate"),
        ("aws.s3.bucket", "Tags"),
    ]
    assert found(result) == [(14, "condition.and[1].key", "warning")]
    assert result.errors == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id: [unclosed\n", "invalid YAML"),
        ("- a list\n", "expected a mapping (a policy document)"),
        ("a: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    ],
)
def test_a_file_that_is_no_document_is_one_error(text: str, message: str) -> None:
    result = lint(text)
    assert len(result.problems) == 1
    assert message in result.problems[0].message


def test_the_loader_still_stops_at_the_first_problem() -> None:
    text = HEAD.replace("low", "tiny") + "    - {key: Name, op: similar}\n"
    loaded = load_text(text, "aws/demo.yaml")
    assert isinstance(loaded, PolicyError)
    assert (loaded.line, loaded.path, loaded.severity) == (6, "severity", "error")
    good = load_text(HEAD, "aws/demo.yaml")
    assert not isinstance(good, PolicyError)


def test_compile_condition_raises_the_first_of_the_problems_diagnose_finds() -> None:
    raw = {"and": [{"key": "A", "op": "nope"}, {"key": "", "op": "eq"}, {"or": "x"}]}
    report = diagnose_condition(raw, ("condition",), {}, CHECKS)
    assert report.condition is None
    assert [(e.path, e.message.split(";")[0]) for e in report.problems] == [
        (("condition", "and", 0, "op"), "unknown operator 'nope'"),
        (("condition", "and", 1, "key"), "expected a JMESPath expression (a string)"),
        (("condition", "and", 1), "operator 'eq' needs a value"),
        (("condition", "and", 2, "or"), "expected a non-empty list of conditions"),
    ]
    with pytest.raises(ConditionError) as raised:
        compile_condition(raw, ("condition",), {}, CHECKS)
    assert (raised.value.path, raised.value.message) == (
        report.problems[0].path,
        report.problems[0].message,
    )


def test_diagnose_notes_params_and_keys_of_a_clean_condition() -> None:
    raw = {
        "or": [
            {"key": "tag:Owner", "op": "present"},
            {"key": "A.B", "op": "eq", "value": {"param": "p"}},
        ]
    }
    report = diagnose_condition(raw, ("condition",), {"p": 1, "q": 2}, CHECKS)
    assert report.problems == []
    assert report.condition is not None
    assert report.params_used == {"p"}
    assert report.keys == [
        (("condition", "or", 0, "key"), "tag:Owner"),
        (("condition", "or", 1, "key"), "A.B"),
    ]
