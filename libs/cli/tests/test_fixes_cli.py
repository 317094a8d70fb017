"""`pacbot fixes list|iam-policy`: the catalogue and the remediation policy, from the registry."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from pacbot.autofix.fixes import FIXES, AccountAws, ApiCall, Fix, FixRegistry, FixTarget
from pacbot.autofix.fixes.catalog import (
    READ_SID,
    WRITE_SID,
    catalog,
    remediation_policies,
    remediation_policy,
)
from pacbot.cli import fixes as fixes_cli
from pacbot.cli.main import main
from pacbot.common.iam_policy import MANAGED_POLICY_LIMIT, size

ACTION = re.compile(r"^[a-z0-9-]+:[A-Z][A-Za-z0-9]*$")
KEYS = {
    "name",
    "resource_type",
    "policies",
    "read_permissions",
    "write_permissions",
    "reversible",
    "backs_up",
    "verifies",
    "description",
}


def _documents(out: str) -> list[dict[str, Any]]:
    parsed = json.loads(out)
    return parsed if isinstance(parsed, list) else [parsed]


def _actions(documents: list[dict[str, Any]], sid_prefix: str = "") -> set[str]:
    return {
        a
        for d in documents
        for s in d["Statement"]
        if s["Sid"].startswith(sid_prefix)
        for a in s["Action"]
    }


def _assert_valid(document: dict[str, Any]) -> None:
    """What IAM accepts: a version, then Allow statements with unique Sids on every resource."""
    assert set(document) == {"Version", "Statement"}
    assert document["Version"] == "2012-10-17"
    assert document["Statement"], "an IAM policy needs at least one statement"
    sids = [s["Sid"] for s in document["Statement"]]
    assert len(sids) == len(set(sids))
    for statement in document["Statement"]:
        assert set(statement) == {"Sid", "Effect", "Action", "Resource"}
        assert re.fullmatch(r"[A-Za-z0-9]+", statement["Sid"])
        assert statement["Effect"] == "Allow"
        assert statement["Resource"] == "*"
        assert statement["Action"] == sorted(set(statement["Action"]))
        assert all(ACTION.match(a) for a in statement["Action"]), statement["Action"]


def _fake_fix(index: int, reads: tuple[str, ...], writes: tuple[str, ...]) -> type[Fix]:
    """A registrable fix class with the given permissions; it is never run."""

    def read(self: Fix, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        return {}

    def is_compliant(self: Fix, current: dict[str, Any], target: FixTarget) -> bool:
        return True

    def calls(self: Fix, current: dict[str, Any], target: FixTarget) -> list[ApiCall]:
        return []

    attrs = {
        "name": f"fake-fix-{index}",
        "resource_type": "aws.fake.thing",
        "policies": (f"aws-fake-{index}",),
        "read_permissions": reads,
        "write_permissions": writes,
        "reversible": index % 2 == 0,
        "backs_up": "nothing",
        "verifies": "nothing",
        "description": f"Fake fix {index}",
        "read": read,
        "is_compliant": is_compliant,
        "calls": calls,
    }
    return type(f"FakeFix{index}", (Fix,), attrs)


def _big_registry(count: int = 40) -> FixRegistry:
    """Many fixes, sharing some actions, whose policy must be de-duplicated (and may be split)."""
    registry = FixRegistry()
    for i in range(count):
        reads = (f"svc{i % 7}:DescribeThingNumber{i}", "ec2:DescribeInstances")
        writes = (f"svc{i % 5}:ModifyThingAttributeNumber{i}", "s3:PutBucketTagging")
        registry.register(_fake_fix(i, reads, writes))
    return registry


def test_list_json_is_every_registered_fix_with_exactly_the_keys(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["fixes", "list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows] == FIXES.names()
    for row in rows:
        assert set(row) == KEYS
        fix = FIXES.get(row["name"])
        assert fix is not None
        assert row["read_permissions"] == list(fix.read_permissions)
        assert row["write_permissions"] == list(fix.write_permissions)
        assert row["policies"] == list(fix.policies)
        assert isinstance(row["reversible"], bool)
    assert "s3-block-public-access" in {r["name"] for r in rows}


def test_list_table_names_every_fix_and_its_permissions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["fixes", "list"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith(f"{len(FIXES.names())} fix")
    for fix in FIXES:
        assert fix.name in out
        assert fix.description in out
        assert all(p in out for p in fix.permissions)


def test_iam_policy_grants_exactly_what_the_fixes_declare(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["fixes", "iam-policy"]) == 0
    documents = _documents(capsys.readouterr().out)
    for document in documents:
        _assert_valid(document)
        assert size(document) <= MANAGED_POLICY_LIMIT
    reads = {a for fix in FIXES for a in fix.read_permissions}
    writes = {a for fix in FIXES for a in fix.write_permissions}
    assert _actions(documents) == reads | writes
    assert _actions(documents, READ_SID) == reads
    assert _actions(documents, WRITE_SID) == writes


def test_one_read_and_one_write_statement_for_many_fixes() -> None:
    registry = _big_registry()
    policy = remediation_policy(registry)
    _assert_valid(policy)
    assert [s["Sid"] for s in policy["Statement"]] == [READ_SID, WRITE_SID]
    reads, writes = (s["Action"] for s in policy["Statement"])
    assert reads.count("ec2:DescribeInstances") == 1
    assert writes.count("s3:PutBucketTagging") == 1
    assert set(reads) == {a for fix in registry for a in fix.read_permissions}
    assert set(writes) == {a for fix in registry for a in fix.write_permissions}
    assert len(catalog(registry)) == 40


def test_a_policy_too_big_for_one_document_is_split_and_loses_nothing() -> None:
    registry = _big_registry()
    documents = remediation_policies(registry, limit=1024)
    assert len(documents) > 1
    for document in documents:
        _assert_valid(document)
        assert size(document) <= 1024
    assert _actions(documents) == _actions([remediation_policy(registry)])
    sids = [s["Sid"] for d in documents for s in d["Statement"]]
    assert sids[0] == READ_SID
    assert f"{READ_SID}2" in sids
    assert f"{WRITE_SID}2" in sids


def test_the_cli_prints_whatever_is_registered(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = _big_registry()
    monkeypatch.setattr(fixes_cli, "FIXES", registry)
    assert main(["fixes", "list", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 40
    assert main(["fixes", "iam-policy"]) == 0
    documents = _documents(capsys.readouterr().out)
    assert _actions(documents) == {a for fix in registry for a in fix.permissions}


def test_a_wildcard_or_malformed_action_fails_the_policy(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = FixRegistry()
    registry.register(_fake_fix(1, ("s3:Get*",), ("s3 PutBucketAcl",)))
    monkeypatch.setattr(fixes_cli, "FIXES", registry)
    assert main(["fixes", "iam-policy"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "s3:Get*" in captured.err
    assert "s3 PutBucketAcl" in captured.err
