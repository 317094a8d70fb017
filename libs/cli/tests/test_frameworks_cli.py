"""`pacbot frameworks`: each framework with its size and the policy pack's coverage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pacbot.assessor.settings import SHIPPED_PACKS
from pacbot.cli.main import main
from pacbot.common.frameworks import shipped_catalogue

PUBLIC = (SHIPPED_PACKS / "aws" / "s3-bucket-public-access.yaml").read_text()


def _framework(listed: list[dict[str, Any]], framework_id: str) -> dict[str, Any]:
    [found] = [f for f in listed if f["framework_id"] == framework_id]
    return found


def test_the_shipped_pack_covers_every_automated_cis_control(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["frameworks", "--format", "json"]) == 0
    cis = _framework(json.loads(capsys.readouterr().out), "cis-aws-3.0")
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
    cis = _framework(json.loads(capsys.readouterr().out), "cis-aws-3.0")
    assert (cis["mapped_automated"], cis["policies"]) == (1, 1)
    assert len(cis["unmapped_automated"]) == 53
    assert "2.1.4" not in cis["unmapped_automated"]


def test_a_mapping_to_an_unknown_control_fails_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "public.yaml").write_text(PUBLIC.replace('"2.1.4"', '"2.1.7"'))
    assert main(["frameworks", "--policy-path", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert "0/54 (0%)" in out
    assert "error: public.yaml:" in err
    assert "frameworks.cis-aws-3.0[0]: '2.1.7' is not a control of cis-aws-3.0" in err
    assert main(["frameworks", "--format", "json", "--policy-path", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert len(json.loads(out)) == len(shipped_catalogue().frameworks), "stdout stays JSON"
    assert "error: public.yaml:" in err


def test_every_shipped_framework_is_listed_with_mapped_and_manual_counts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["frameworks", "list", "--format", "json"]) == 0
    listed = {f["framework_id"]: f for f in json.loads(capsys.readouterr().out)}
    assert set(listed) >= {
        "aws-fsbp",
        "cis-aws-3.0",
        "cis-aws-4.0",
        "iso-27001-2022",
        "nist-800-53-r5",
        "pci-dss-4.0",
        "soc2",
    }
    for framework in listed.values():
        assert framework["controls"] == framework["automated"] + framework["manual"]
        assert framework["mapped_automated"] <= framework["mapped_controls"]
        assert framework["mapped_controls"] > 0, framework["framework_id"]
        assert len(framework["unmapped_automated"]) == (
            framework["automated"] - framework["mapped_automated"]
        )
    general = ("nist-800-53-r5", "pci-dss-4.0", "soc2", "iso-27001-2022", "cis-aws-4.0")
    assert {f: listed[f]["unmapped_automated"] for f in general} == {f: [] for f in general}, (
        "every requirement a configuration check can judge has a policy"
    )
    assert main(["frameworks"]) == 0
    table = capsys.readouterr().out.splitlines()
    header = table[1].split()
    assert (header[0], header[-1]) == ("framework", "name")
    assert header.index("manual") < header.index("mapped") < header.index("coverage")
    assert len(table) == 2 + len(listed)
