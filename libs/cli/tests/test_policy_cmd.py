"""`pacbot policy lint` and `pacbot policy test`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from pacbot.assessor.settings import SHIPPED_PACKS
from pacbot.cli.main import main
from pacbot.cli.policy_cmd import config_key_check
from pacbot.inventory.connectors import (
    CONNECTORS,
    Connector,
    ConnectorRegistry,
    DiscoveredAsset,
    Scope,
)

SHAPES = ConnectorRegistry()
"""Two types: one documents its config shape (15 attributes), one does not."""
register_shapes = SHAPES.register(
    "test.shaped",
    service="test",
    scope="regional",
    permissions=(),
    id_field="A01",
    name_field="A01",
    identity=[f"A{i:02}" for i in range(1, 13)],
    fills={"tags": ["Tags"], "more": ["Z1", "Z2"]},
)
register_unshaped = SHAPES.register(
    "test.unshaped", service="test", scope="regional", permissions=(), id_field="A", name_field="A"
)

GOOD = """\
id: good-policy
version: 1
name: Buckets carry an Owner tag
description: Every bucket names its owner.
resource: aws.s3.bucket
severity: low
category: tagging
remediation:
  text: Tag the bucket with Owner.
condition:
  key: Tags.Owner
  op: present
examples:
  pass:
    - {Tags: {Owner: me}}
  fail:
    - {Tags: {}}
"""


def test_lint_reports_file_line_and_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    bad = GOOD.replace("good-policy", "bad-policy").replace("severity: low", "severity: huge")
    (tmp_path / "bad.yaml").write_text(bad)
    assert main(["policy", "lint", str(tmp_path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    line_no = bad.splitlines().index("severity: huge") + 1
    where = f"{(tmp_path / 'bad.yaml').as_posix()}:{line_no}: severity: error: "
    assert lines[0].startswith(where)
    assert lines[-1] == "1 policy OK, 1 error, 0 warnings"


def test_lint_of_good_policies_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    assert main(["policy", "lint", str(tmp_path), str(SHIPPED_PACKS)]) == 0
    shipped = len(list(SHIPPED_PACKS.rglob("*.yaml")))
    summary = capsys.readouterr().out.splitlines()[-1]
    assert summary == f"{shipped + 1} policies OK, 0 errors, 0 warnings"


def test_lint_reports_invalid_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\nname: [unclosed\n")
    assert main(["policy", "lint", str(broken)]) == 1
    out = capsys.readouterr().out
    pattern = rf"^{re.escape(broken.as_posix())}:\d+: <root>: error: invalid YAML"
    assert re.search(pattern, out, re.M)
    assert out.splitlines()[-1] == "0 policies OK, 1 error, 0 warnings"


def test_lint_of_a_missing_path_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    assert main(["policy", "lint", str(tmp_path), str(tmp_path / "missing")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{tmp_path / 'missing'}: no such file or directory" in captured.err


def test_shipped_pack_examples_pass(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "test", str(SHIPPED_PACKS)]) == 0
    summary = capsys.readouterr().out.splitlines()[-1]
    assert re.fullmatch(r"[1-9]\d* passed, 0 failed", summary)


def test_a_fail_example_that_passes_fails_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = GOOD.replace("    - {Tags: {}}", "    - {Tags: {}}\n    - {Tags: {Owner: someone}}")
    (tmp_path / "wrong.yaml").write_text(wrong)
    assert main(["policy", "test", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "2 passed, 1 failed"
    failure = next(line for line in out if line.startswith("FAIL"))
    assert "good-policy example 2 expected fail, got pass" in failure


MANY_MISTAKES = """\
id: many-mistakes
version: 0
name: Buckets are encrypted
description: Five kinds of mistake in one file.
resource: aws.s3.bucket
severity: huge
category: security
colour: blue
remediation:
  text: Turn encryption on.
params:
  spare: {default: 3}
condition:
  and:
    - {key: Encryptoin.Rules, op: present}
    - {key: Name, op: equalz, value: x}
    - {key: Name, op: eq}
    - {key: Name, op: in, value: {param: names}}
"""


def expected_many(file: str) -> list[tuple[str, int, str, str]]:
    def at(fragment: str) -> int:
        return next(i for i, ln in enumerate(MANY_MISTAKES.splitlines(), 1) if fragment in ln)

    return [
        (file, at("version: 0"), "version", "error"),
        (file, at("huge"), "severity", "error"),
        (file, at("colour"), "colour", "error"),
        (file, at("spare"), "params.spare", "warning"),
        (file, at("Encryptoin"), "condition.and[0].key", "warning"),
        (file, at("equalz"), "condition.and[1].op", "error"),
        (file, at("op: eq}"), "condition.and[2]", "error"),
        (file, at("names"), "condition.and[3].value.param", "error"),
    ]


def test_lint_reports_every_mistake_of_a_file_in_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "many.yaml"
    bad.write_text(MANY_MISTAKES)
    assert main(["policy", "lint", str(bad)]) == 1
    lines = capsys.readouterr().out.splitlines()
    parsed = [re.fullmatch(r"(.+?):(\d+): (\S+): (error|warning): .+", ln) for ln in lines[:-1]]
    found = [(m[1], int(m[2]), m[3], m[4]) for m in parsed if m]
    assert found == expected_many(bad.as_posix())
    assert lines[-1] == "0 policies OK, 6 errors, 2 warnings"
    assert "'Encryptoin' not in the documented config of aws.s3.bucket; known: " in lines[4]
    assert "Encryption" in lines[4]


def test_lint_json_has_the_same_content(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "many.yaml"
    bad.write_text(MANY_MISTAKES)
    (tmp_path / "good.yaml").write_text(GOOD)
    assert main(["policy", "lint", str(tmp_path)]) == 1
    text_lines = capsys.readouterr().out.splitlines()
    assert main(["policy", "lint", "--format", "json", str(tmp_path)]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["summary"] == {"files": 2, "ok": 1, "errors": 6, "warnings": 2}
    problems = document["problems"]
    found = [(p["file"], p["line"], p["path"], p["severity"]) for p in problems]
    assert found == expected_many(bad.as_posix())
    as_text = [
        f"{p['file']}:{p['line']}: {p['path']}: {p['severity']}: {p['message']}" for p in problems
    ]
    assert as_text == text_lines[:-1]


def test_warnings_alone_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = GOOD.replace("key: Tags.Owner", "key: Tagz.Owner").replace("Tags: {}", "Tagz: {}")
    (tmp_path / "typo.yaml").write_text(
        policy.replace("{Tags: {Owner: me}}", "{Tagz: {Owner: me}}")
    )
    assert main(["policy", "lint", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert ": condition.key: warning: 'Tagz' not in the documented config" in out[0]
    assert out[-1] == "1 policy OK, 0 errors, 1 warning"


def test_a_policy_id_used_twice_is_an_error_at_the_second_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text("# the same policy again\n" + GOOD)
    assert main(["policy", "lint", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    first = (tmp_path / "a.yaml").as_posix()
    assert out[0] == (
        f"{(tmp_path / 'b.yaml').as_posix()}:2: id: error: "
        f"duplicate policy id 'good-policy'; first defined in {first}"
    )
    assert out[-1] == "1 policy OK, 1 error, 0 warnings"


def test_a_file_that_is_not_utf8_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "latin1.yaml").write_bytes(GOOD.replace("me}", "m\xe9}").encode("latin-1"))
    assert main(["policy", "lint", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{(tmp_path / 'latin1.yaml').as_posix()}:1: <root>: error: not UTF-8")


@register_shapes
class _Shaped(Connector):
    """A type the linter knows by its shape only: nothing is ever swept, so it finds nothing."""

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        return []

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        return None


@register_unshaped
class _Unshaped(_Shaped):
    pass


@pytest.mark.parametrize(
    ("resource", "key", "warned"),
    [
        ("test.shaped", "A01.Nested", False),
        ("test.shaped", "tag:Owner", False),
        ("test.shaped", "length(A02[?x == 'y'])", False),
        ("test.shaped", "@", False),
        ("test.shaped", "Missing.Nested", True),
        ("test.shaped", "[A01, Other]", True),
        ("test.unshaped", "Anything", False),
        ("test.unknown", "Anything", False),
    ],
)
def test_the_key_check_warns_only_against_a_documented_shape(
    resource: str, key: str, warned: bool
) -> None:
    warning = config_key_check(SHAPES)(resource, key)
    assert (warning is not None) == warned
    if warning:
        assert warning.startswith("'")
        assert f"not in the documented config of {resource}; known: A01, A02," in warning
        assert warning.endswith(", ... (3 more)")


@pytest.mark.parametrize(
    ("resource", "key", "unknown"),
    [
        ("aws.ec2.instance", "MetadataOptions.HttpTokens", None),  # botocore's Instance member
        ("aws.ec2.instance", "MetadataOption.HttpTokens", "MetadataOption"),
        ("aws.ec2.instance", "Arn", None),  # added by the connector
        ("aws.sqs.queue", "KmsMasterKeyId", None),  # a GetQueueAttributes attribute name
        ("aws.sqs.queue", "KmsKeyId", "KmsKeyId"),
        ("aws.rds.instance", "StorageEncrypted", None),
        ("aws.rds.instance", "Encrypted", "Encrypted"),
        ("aws.account.posture", "ActiveMultiRegionTrails", None),  # built by the connector
        ("aws.account.posture", "length(Trail)", "Trail"),
    ],
)
def test_every_discovered_type_checks_keys_against_its_documented_shape(
    resource: str, key: str, unknown: str | None
) -> None:
    warning = config_key_check(CONNECTORS)(resource, key)
    if unknown is None:
        assert warning is None
    else:
        assert warning is not None
        assert warning.startswith(f"'{unknown}' not in the documented config of {resource}")


def test_the_shipped_policies_read_only_documented_attributes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["policy", "lint", "--format", "json", str(SHIPPED_PACKS)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["problems"] == []
    assert document["summary"]["ok"] == document["summary"]["files"] > 250
