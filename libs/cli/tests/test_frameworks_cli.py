"""`pacbot frameworks`: each framework with its size and the policy pack's coverage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pacbot.assessor.settings import SHIPPED_PACKS
from pacbot.cli.main import main

PUBLIC = (SHIPPED_PACKS / "aws" / "s3-bucket-public-access.yaml").read_text()


def test_the_shipped_pack_covers_every_automated_cis_control(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["frameworks", "--format", "json"]) == 0
    [cis] = json.loads(capsys.readouterr().out)
    assert cis["framework_id"] == "cis-aws-3.0"
    assert (cis["controls"], cis["automated"], cis["manual"]) == (62, 54, 8)
    assert (cis["mapped_automated"], cis["unmapped_automated"]) == (54, [])
    assert cis["mapped_controls"] == 56  # two manual controls have helping policies too
    assert cis["policies"] >= 60


def test_another_pack_shows_its_own_coverage_and_its_gaps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "public.yaml").write_text(PUBLIC)
    assert main(["frameworks", "list", "--policy-path", str(tmp_path)]) == 0
    table = capsys.readouterr().out
    assert "cis-aws-3.0" in table
    assert "1/54 (2%)" in table
    assert main(["frameworks", "--format", "json", "--policy-path", str(tmp_path)]) == 0
    [cis] = json.loads(capsys.readouterr().out)
    assert (cis["mapped_automated"], cis["policies"]) == (1, 1)
    assert len(cis["unmapped_automated"]) == 53
    assert "2.1.4" not in cis["unmapped_automated"]


def test_a_mapping_to_an_unknown_control_fails_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "public.yaml").write_text(PUBLIC.replace('"2.1.4"', '"2.1.7"'))
    assert main(["frameworks", "--policy-path", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "0/54 (0%)" in out
    assert "error: public.yaml:" in out
    assert "frameworks.cis-aws-3.0[0]: '2.1.7' is not a control of cis-aws-3.0" in out
