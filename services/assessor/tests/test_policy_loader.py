"""The loader rejects malformed policies with file, line and path, and keeps loading the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from pacbot.assessor.conditions import CheckRegistry
from pacbot.assessor.policies.compiled import CompiledPolicy
from pacbot.assessor.policies.loader import PolicyError, load_policies, load_text
from pacbot.assessor.policies.model import parse_duration
from pacbot.assessor.settings import SHIPPED_PACKS

GOOD = """\
id: demo-policy
version: 2
name: Demo
description: A policy for loader tests.
resource: aws.s3.bucket
severity: medium
category: governance
remediation:
  text: Fix it.
params:
  owner_tag: {default: Owner}
condition:
  and:
    - {key: Name, op: present}
    - key: Tags
      op: contains
      value: {param: owner_tag}
"""


def error_of(text: str, name: str = "aws/demo.yaml") -> PolicyError:
    loaded = load_text(text, name)
    assert isinstance(loaded, PolicyError), f"expected a load error, got {loaded!r}"
    return loaded


def test_good_policy_compiles_and_uses_param_default() -> None:
    loaded = load_text(GOOD, "aws/demo.yaml")
    assert not isinstance(loaded, PolicyError)
    assert loaded.evaluate({"Name": "b", "Tags": {"Owner": "x"}}).status == "pass"
    assert loaded.evaluate({"Name": "b", "Tags": {}}).status == "fail"
    assert (
        loaded.evaluate({"Name": "b", "Tags": {"Team": "x"}}, {"owner_tag": "Team"}).status
        == "pass"
    )


def test_unknown_operator_names_file_line_path_and_choices() -> None:
    error = error_of(GOOD.replace("op: contains", "op: eqq"))
    assert str(error).startswith("aws/demo.yaml:16: condition.and[1].op: unknown operator 'eqq'")
    assert "expected one of eq, ne," in error.message


def test_bad_jmespath_is_a_load_error_at_its_key() -> None:
    error = error_of(GOOD.replace("key: Tags", "key: 'Tags[['"))
    assert (error.line, error.path) == (15, "condition.and[1].key")
    assert "invalid JMESPath" in error.message


@pytest.mark.parametrize(
    ("old", "new", "line", "path", "fragment"),
    [
        ("severity: medium", "severity: urgent", 6, "severity", "'critical', 'high'"),
        ("version: 2", "version: two", 2, "version", "integer"),
        ("remediation:\n  text: Fix it.\n", "", 1, "remediation", "required field is missing"),
        ("category: governance", "category: governance\nowner: me", 8, "owner", "unknown field"),
        (
            "{param: owner_tag}",
            "{param: nope}",
            17,
            "condition.and[1].value.param",
            "unknown param 'nope'",
        ),
        (
            "{key: Name, op: present}",
            "{key: Name, op: present, value: 1}",
            14,
            "condition.and[0].value",
            "takes no value",
        ),
        ("  and:", "  nand:", 12, "condition", "expected exactly one of key, and, or, not, check"),
        (
            "{key: Name, op: present}",
            "{check: nope}",
            14,
            "condition.and[0].check",
            "unknown check",
        ),
    ],
)
def test_malformed_documents_are_located(
    old: str, new: str, line: int, path: str, fragment: str
) -> None:
    error = error_of(GOOD.replace(old, new))
    assert (error.line, error.path) == (line, path), str(error)
    assert fragment in error.message


def test_yaml_syntax_error_has_a_line() -> None:
    error = error_of(GOOD + "  - [unclosed\n")
    assert error.path == "<root>"
    assert error.line >= 18
    assert error.message.startswith("invalid YAML")


def test_check_arguments_are_validated_at_load() -> None:
    checks = CheckRegistry()

    @checks.register("has-name")
    def has_name(config: dict[str, object], prefix: str = "") -> bool:
        return str(config.get("Name", "")).startswith(prefix)

    text = GOOD.replace("{key: Name, op: present}", "{check: has-name, prefix: b}")
    loaded = load_text(text, "x.yaml", checks)
    assert not isinstance(loaded, PolicyError)
    assert loaded.evaluate({"Name": "bkt", "Tags": {"Owner": "o"}}).status == "pass"
    bad = load_text(text.replace("prefix: b", "suffix: b"), "x.yaml", checks)
    assert isinstance(bad, PolicyError)
    assert bad.path == "condition.and[0]"
    assert "bad arguments for check 'has-name'" in bad.message


def test_bad_file_does_not_stop_good_ones(tmp_path: Path) -> None:
    (tmp_path / "aws").mkdir()
    (tmp_path / "aws" / "good.yaml").write_text(GOOD)
    (tmp_path / "aws" / "bad.yaml").write_text(
        GOOD.replace("demo-policy", "other").replace("op: present", "op: nope")
    )
    (tmp_path / "aws" / "zz-dup.yml").write_text(GOOD)
    report = load_policies([tmp_path, tmp_path / "missing"])
    assert [p.id for p in report.policies] == ["demo-policy"]
    bad, dup, missing = (str(e) for e in report.errors)
    assert bad.startswith("aws/bad.yaml:14: condition.and[0].op: unknown operator 'nope'")
    assert dup.startswith("aws/zz-dup.yml:1: id: duplicate policy id 'demo-policy'")
    assert missing.endswith("missing:0: <root>: no such file or directory")


def test_shipped_pack_loads_cleanly_and_keeps_the_skeleton_policies() -> None:
    report = load_policies([SHIPPED_PACKS])
    assert report.errors == []
    ids = {p.id for p in report.policies}
    assert {"aws-s3-bucket-default-encryption", "aws-s3-bucket-public-access"} <= ids


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [("24h", 86400.0), ("30m", 1800.0), ("5s", 5.0), ("2d", 172800.0), (90, 90.0), ("1.5", 1.5)],
)
def test_grace_periods_parse_to_seconds(raw: object, seconds: float) -> None:
    assert parse_duration(raw) == seconds


@pytest.mark.parametrize("raw", ["soon", "-5s", -1, True, "5 weeks"])
def test_bad_grace_periods_are_rejected(raw: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(raw)


def test_bad_grace_period_in_a_policy_is_located() -> None:
    error = error_of(GOOD + "autofix: {action: tag-owner, grace_period: soon}\n")
    assert (error.line, error.path) == (18, "autofix.grace_period")


def test_a_policy_binds_once_per_distinct_set_of_overrides() -> None:
    loaded = load_text(GOOD, "aws/demo.yaml")
    assert not isinstance(loaded, PolicyError)
    assert loaded.evaluator() is loaded.evaluator({})
    team = loaded.evaluator({"owner_tag": "Team"})
    assert loaded.evaluator({"owner_tag": "Team"}) is team
    assert loaded.evaluator({"owner_tag": "Owner"}) is not team
    assert team({"Name": "b", "Tags": {"Team": "x"}}).status == "pass"
    assert loaded.evaluator()({"Name": "b", "Tags": {"Team": "x"}}).status == "fail"


def test_a_condition_that_cannot_bind_makes_every_result_an_error() -> None:
    loaded = load_text(GOOD, "aws/demo.yaml")
    assert not isinstance(loaded, PolicyError)
    undeclared = CompiledPolicy(  # a condition naming a param its document does not declare
        document=loaded.document.model_copy(update={"params": {}}),
        condition=loaded.condition,
        source=loaded.source,
    )
    outcome = undeclared.evaluate({"Name": "b", "Tags": {}})
    assert outcome.status == "error"
    assert outcome.reason == "evaluation raised KeyError('owner_tag')"


def test_the_policy_ref_carries_the_framework_mappings() -> None:
    mapped = GOOD.replace(
        "remediation:", 'frameworks:\n  cis-aws-3.0: ["2.1.4", "2.1.1"]\nremediation:'
    )
    loaded = load_text(mapped, "aws/demo.yaml")
    assert isinstance(loaded, CompiledPolicy), loaded
    ref = loaded.ref()
    assert (ref.policy_id, ref.policy_version) == ("demo-policy", 2)
    assert ref.frameworks == {"cis-aws-3.0": ["2.1.4", "2.1.1"]}
    unmapped = load_text(GOOD, "aws/demo.yaml")
    assert isinstance(unmapped, CompiledPolicy)
    assert unmapped.ref().frameworks == {}


def test_a_file_that_is_not_utf8_is_a_load_error_and_the_rest_load(tmp_path: Path) -> None:
    (tmp_path / "latin1.yaml").write_bytes("name: caf\xe9\n".encode("latin-1"))
    (tmp_path / "good.yaml").write_text(GOOD)
    report = load_policies([tmp_path])
    assert [p.id for p in report.policies] == ["demo-policy"]
    assert [str(e) for e in report.errors] == ["latin1.yaml:1: <root>: cannot read: not UTF-8 text"]
