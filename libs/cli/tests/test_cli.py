"""The `pacbot` command's informational subcommands."""

from __future__ import annotations

import json

import pytest

from pacbot.cli.main import main


def test_resources_json_lists_every_type(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["resources", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    types = {row["resource_type"] for row in rows}
    assert {"aws.s3.bucket", "aws.iam.user", "aws.ec2.security_group"} <= types
    assert all(row["permissions"] for row in rows)


def test_resources_iam_policy_is_a_policy_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["resources", "iam-policy"]) == 0
    document = json.loads(capsys.readouterr().out)
    documents = document if isinstance(document, list) else [document]
    assert all(d["Version"] == "2012-10-17" for d in documents)


def test_event_schemas_are_written(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    out = Path(str(tmp_path))
    assert main(["events", "schema", "--out", str(out)]) == 0
    assert (out / "ViolationChanged.json").exists()
    assert "wrote" in capsys.readouterr().out


def test_policies_list_json_is_the_pack(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policies", "list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) >= 100
    assert {r["category"] for r in rows} == {
        "security",
        "governance",
        "cost",
        "tagging",
        "operations",
    }
    public = next(r for r in rows if r["id"] == "aws-s3-bucket-public-access")
    assert public["autofix"] == "s3-block-public-access"
    assert public["frameworks"]["cis-aws-3.0"] == ["2.1.4"]
