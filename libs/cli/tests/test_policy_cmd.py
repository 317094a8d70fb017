"""`pacbot policy lint` and `pacbot policy test`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pacbot.assessor.settings import SHIPPED_PACKS
from pacbot.cli.main import main

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
    assert lines[0].startswith(f"{(tmp_path / 'bad.yaml').as_posix()}:{line_no}: severity: ")
    assert lines[-1] == "1 policy OK, 1 error"


def test_lint_of_good_policies_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    assert main(["policy", "lint", str(tmp_path), str(SHIPPED_PACKS)]) == 0
    shipped = len(list(SHIPPED_PACKS.rglob("*.yaml")))
    assert capsys.readouterr().out.splitlines()[-1] == f"{shipped + 1} policies OK, 0 errors"


def test_lint_reports_invalid_yaml_and_missing_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\nname: [unclosed\n")
    assert main(["policy", "lint", str(broken), str(tmp_path / "missing")]) == 1
    out = capsys.readouterr().out
    assert re.search(rf"^{re.escape(broken.as_posix())}:\d+: <root>: invalid YAML", out, re.M)
    assert "no such file or directory" in out
    assert out.splitlines()[-1] == "0 policies OK, 2 errors"


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
