"""`pacbot policy import-custodian`: Custodian value/named filters → inverted PacBot policies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from pacbot.assessor.policies.compiled import CompiledPolicy
from pacbot.assessor.policies.loader import load_text
from pacbot.cli.custodian_import import ImportResult, convert_text
from pacbot.cli.main import main

CUSTODIAN = """\
policies:
  - name: ebs-unencrypted
    resource: aws.ebs
    description: Volumes must be encrypted
    filters:
      - Encrypted: false
    actions:
      - type: mark-for-op
        op: delete
  - name: old-iam-users-no-owner
    resource: aws.iam-user
    metadata: {severity: high}
    filters:
      - type: value
        key: CreateDate
        value_type: age
        op: gt
        value: 90
      - or:
          - "tag:Owner": absent
          - type: value
            key: "tag:Env"
            op: in
            value: [dev, test]
      - not:
          - type: value
            key: UserName
            op: regex
            value: "^svc-"
  - name: sg-ssh-open
    resource: aws.security-group
    mode: {type: periodic, schedule: "rate(1 day)"}
    filters:
      - type: ingress
        Ports: [22]
        Cidr: {value: "0.0.0.0/0"}
    actions: [notify, {type: remove-permissions, ingress: matched}]
  - name: dax-clusters
    resource: aws.dax
    filters:
      - Status: available
  - name: ec2-weird
    resource: aws.ec2
    filters:
      - State.Name: running
      - or:
          - InstanceType: t2.micro
          - type: marked-for-op
            op: stop
      - type: value
        key: InstanceType
        op: mod
        value: [2, 0]
      - type: launch-config
        key: ImageId
        value: ami-0123
"""


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return convert_text(CUSTODIAN)


def _loaded(result: ImportResult, policy_id: str) -> CompiledPolicy:
    doc = next(d for d in result.documents if d["id"] == policy_id)
    policy = load_text(yaml.safe_dump(doc, sort_keys=False), f"{policy_id}.yaml")
    assert isinstance(policy, CompiledPolicy), policy
    assert policy.example_mismatches() == []
    return policy


def test_converted_documents_load_and_carry_examples(result) -> None:  # type: ignore[no-untyped-def]
    ids = [d["id"] for d in result.documents]
    assert ids == [
        "custodian-ebs-unencrypted",
        "custodian-old-iam-users-no-owner",
        "custodian-sg-ssh-open",
        "custodian-ec2-weird",  # partly converted, disabled
    ]
    for policy_id in ids:
        policy = _loaded(result, policy_id)
        examples = policy.document.examples
        assert len(examples.passing) == 1
        assert len(examples.failing) == 1


def test_simple_value_filter_is_inverted(result) -> None:  # type: ignore[no-untyped-def]
    policy = _loaded(result, "custodian-ebs-unencrypted")
    assert policy.document.resource == "aws.ec2.volume"
    assert policy.document.condition == {"key": "Encrypted", "op": "ne", "value": False}
    assert policy.evaluate({"Encrypted": True}).status == "pass"
    assert policy.evaluate({"Encrypted": False}).status == "fail"
    assert "mark-for-op" in policy.document.remediation.text


def test_age_tags_and_boolean_blocks(result) -> None:  # type: ignore[no-untyped-def]
    policy = _loaded(result, "custodian-old-iam-users-no-owner")
    assert policy.document.severity == "high"
    assert policy.document.resource == "aws.iam.user"
    old = "2001-05-01T00:00:00Z"
    # Custodian flags: older than 90 days AND (no Owner tag OR Env in dev/test) AND not svc-*
    flagged = {"UserName": "alice", "CreateDate": old, "Tags": {"Env": "dev", "Owner": "x"}}
    assert policy.evaluate(flagged).status == "fail"
    assert policy.evaluate({"UserName": "alice", "CreateDate": old}).status == "fail"
    owned = {"UserName": "alice", "CreateDate": old, "Tags": {"Owner": "x", "Env": "prod"}}
    assert policy.evaluate(owned).status == "pass"
    service = {"UserName": "svc-build", "CreateDate": old}
    assert policy.evaluate(service).status == "pass"
    young = {"UserName": "alice", "CreateDate": "2999-01-01T00:00:00Z"}
    assert policy.evaluate(young).status == "pass"


def test_security_group_ingress_maps_to_check(result) -> None:  # type: ignore[no-untyped-def]
    policy = _loaded(result, "custodian-sg-ssh-open")
    assert policy.document.condition == {
        "check": "security-group-rules",
        "ports": [22],
        "cidr": {"value": "0.0.0.0/0"},
    }
    rule = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": []}
    assert policy.evaluate({"IpPermissions": [rule]}).status == "fail"
    private = {**rule, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}
    assert policy.evaluate({"IpPermissions": [private]}).status == "pass"


def test_report_names_exactly_the_unconvertible_parts(result) -> None:  # type: ignore[no-untyped-def]
    assert not result.ok
    statuses = [o.status for o in result.outcomes]
    assert statuses == ["converted"] * 3 + ["not converted", "partly converted"]
    assert {o.index: [p for p, _ in o.problems] for o in result.outcomes} == {
        0: [],
        1: [],
        2: [],
        3: ["policies[3].resource"],
        4: [],
    }
    assert [p for p, _ in result.outcomes[4].dropped] == [
        "policies[4].filters[1].or[1]",
        "policies[4].filters[2]",
        "policies[4].filters[3]",
    ]
    report = result.report()
    assert "policies[3].resource: unmapped resource 'aws.dax'" in report
    assert (
        "policies[4].filters[1].or[1]: left out: filter 'marked-for-op' not convertible" in report
    )
    assert "policies[4].filters[2]: left out: unsupported op 'mod'" in report
    assert "policies[4].filters[3]: left out: filter 'launch-config' not convertible" in report
    assert "policies[0].actions: ignored: mark-for-op" in report
    assert "policies[2].actions: ignored: notify, remove-permissions" in report
    assert "policies[2].mode: mode periodic: maps to PacBot's continuous assessment" in report
    assert report.splitlines()[-1] == "3 converted, 1 partly converted, 1 not converted"


def test_a_partly_converted_policy_keeps_what_converts_and_is_disabled(result) -> None:  # type: ignore[no-untyped-def]
    policy = _loaded(result, "custodian-ec2-weird")
    assert policy.document.enabled is False
    assert policy.document.condition == {"key": "State.Name", "op": "ne", "value": "running"}
    assert "Partly converted, so disabled until reviewed" in policy.document.description
    assert "unsupported op 'mod'" in policy.document.description


def test_converted_policies_say_where_they_came_from(result) -> None:  # type: ignore[no-untyped-def]
    policy = _loaded(result, "custodian-sg-ssh-open")
    origin = policy.document.imported_from
    assert origin is not None
    assert (origin.tool, origin.name) == ("cloud-custodian", "sg-ssh-open")


def test_cli_writes_files_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "c7n.yaml"
    source.write_text(CUSTODIAN)
    out = tmp_path / "out"
    assert main(["policy", "import-custodian", str(source), "--out", str(out)]) == 1
    written = sorted(p.name for p in out.iterdir())
    assert written == [
        "custodian-ebs-unencrypted.yaml",
        "custodian-ec2-weird.yaml",
        "custodian-old-iam-users-no-owner.yaml",
        "custodian-sg-ssh-open.yaml",
    ]
    assert main(["policy", "lint", str(out)]) == 0
    assert main(["policy", "test", str(out)]) == 0
    assert "policies[4].filters[2]: left out: unsupported op 'mod'" in capsys.readouterr().out


def test_cli_stdout_multidoc_and_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "c7n.yaml"
    source.write_text(
        "policies:\n"
        "  - name: queue-unencrypted\n"
        "    resource: sqs\n"
        "    filters:\n"
        "      - KmsMasterKeyId: absent\n"
        "      - type: value\n"
        "        key: VisibilityTimeout\n"
        "        op: in\n"
        "        value: [30, 60]\n"
    )
    assert main(["policy", "import-custodian", str(source)]) == 0
    captured = capsys.readouterr()
    (doc,) = list(yaml.safe_load_all(captured.out))
    assert doc["resource"] == "aws.sqs.queue"
    assert doc["condition"] == {
        "or": [
            {"key": "KmsMasterKeyId", "op": "present"},
            {"key": "VisibilityTimeout", "op": "not-in", "value": [30, 60]},
        ]
    }
    assert "1 converted, 0 not converted" in captured.err


CORPUS = Path(__file__).parent / "custodian_corpus"
EXPECTED_STATUS = {
    "ami-stale": "converted",
    "delete-marked-volumes": "not converted",
    "ebs-default-encryption-off": "converted",
    "ebs-unencrypted": "converted",
    "ec2-imdsv1": "converted",
    "ec2-offhours": "not converted",
    "ec2-older-than-a-year": "converted",
    "iam-admins-without-mfa": "converted",
    "iam-role-outside-known-teams": "converted",
    "iam-role-with-admin-policy": "converted",
    "iam-stale-keys": "converted",
    "rds-low-cpu": "not converted",
    "rds-old-postgres": "converted",
    "root-mfa-off": "converted",
    "s3-block-public-access-off": "converted",
    "s3-cross-account": "converted",
    "s3-global-grants": "converted",
    "s3-insecure-transport-allowed": "converted",
    "s3-missing-deny-statement": "converted",
    "s3-not-kms": "converted",
    "s3-public-policy-not-blocked": "converted",
    "s3-unencrypted": "converted",
    "sg-all-traffic-either-family": "converted",
    "sg-egress-anywhere-all-protocols": "converted",
    "sg-only-https": "converted",
    "sg-outside-corporate-ranges": "converted",
    "sg-ssh-rdp-world": "converted",
    "sg-unused": "converted",
    "sns-unencrypted": "converted",
    "sqs-public": "converted",
    "tag-new-instances-with-creator": "not converted",
    "vpc-flow-logs-rejects-only": "converted",
    "vpc-no-flow-logs": "converted",
    "weak-password-policy": "converted",
}


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("migrated")
    report = out / "report.json"
    assert (
        main(
            ["policy", "import-custodian", str(CORPUS), "--out", str(out), "--report", str(report)]
        )
        == 1
    )
    return out, json.loads(report.read_text())


def test_migration_report_per_policy(migrated: tuple[Path, dict[str, Any]]) -> None:
    _, report = migrated
    assert {p["name"]: p["status"] for p in report["policies"]} == EXPECTED_STATUS
    summary = report["summary"]
    assert (summary["files"], summary["policies"]) == (6, 34)
    assert (summary["converted"], summary["partly_converted"], summary["not_converted"]) == (
        30,
        0,
        4,
    )
    assert summary["converted_pct"] == 88.2
    reasons = {
        p["name"]: [(u["path"], u["reason"].split(":")[0]) for u in p["unconvertible"]]
        for p in report["policies"]
        if p["status"] == "not converted"
    }
    assert reasons == {
        "ec2-offhours": [("policies[4].filters[0]", "filter 'offhour' not convertible")],
        "tag-new-instances-with-creator": [("policies[0].filters", "no filters")],
        "delete-marked-volumes": [
            ("policies[1].filters[0]", "filter 'marked-for-op' not convertible")
        ],
        "rds-low-cpu": [("policies[3].filters[0]", "filter 'metrics' not convertible")],
    }


def test_imports_that_duplicate_shipped_policies_say_so(
    migrated: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    _, report = migrated
    duplicates = {p["name"]: p["duplicates"] for p in report["policies"] if p["duplicates"]}
    assert duplicates["ebs-unencrypted"] == ["aws-ec2-volume-encrypted"]
    assert duplicates["sns-unencrypted"] == ["aws-sns-topic-encrypted"]
    assert set(duplicates) <= {n for n, s in EXPECTED_STATUS.items() if s == "converted"}
    out = tmp_path / "lean"
    argv = ["policy", "import-custodian", str(CORPUS / "compute.yml"), "--out", str(out)]
    assert main([*argv, "--skip-duplicates"]) == 1
    assert "custodian-ebs-unencrypted.yaml" not in {p.name for p in out.iterdir()}
    assert "custodian-ec2-imdsv1.yaml" in {p.name for p in out.iterdir()}


def test_migrated_policies_lint_and_pass_their_examples(
    migrated: tuple[Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = migrated
    assert main(["policy", "lint", str(out)]) == 0
    assert main(["policy", "test", str(out)]) == 0
    assert "30 policies OK, 0 errors" in capsys.readouterr().out


def _policy(out: Path, name: str) -> Any:
    policy = load_text((out / f"custodian-{name}.yaml").read_text(), f"{name}.yaml")
    assert not hasattr(policy, "message"), policy
    return policy


def _sg(*rules: dict[str, Any]) -> dict[str, Any]:
    full = [
        {"IpRanges": [], "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": [], **r}
        for r in rules
    ]
    return {"GroupId": "sg-1", "IpPermissions": full, "IpPermissionsEgress": []}


def test_migrated_security_group_policies_judge_as_custodian_would(
    migrated: tuple[Path, dict[str, Any]],
) -> None:
    out, _ = migrated
    ranges = _policy(out, "sg-outside-corporate-ranges")
    cidr = ranges.document.condition["cidr"]
    assert cidr["value"] == ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]  # from the file
    inside = {
        "IpProtocol": "tcp",
        "FromPort": 22,
        "ToPort": 22,
        "IpRanges": [{"CidrIp": "10.1.0.0/16"}],
    }
    outside = {**inside, "IpRanges": [{"CidrIp": "198.51.100.0/24"}]}
    assert ranges.evaluate(_sg(inside)).status == "pass"
    assert ranges.evaluate(_sg(inside, outside)).status == "fail"
    https_only = _policy(out, "sg-only-https")
    web = {
        "IpProtocol": "tcp",
        "FromPort": 443,
        "ToPort": 443,
        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
    }
    assert https_only.evaluate(_sg(web)).status == "pass"
    assert https_only.evaluate(_sg(web, {**web, "FromPort": 80, "ToPort": 80})).status == "fail"
    unused = _policy(out, "sg-unused")
    assert unused.evaluate({"GroupName": "app", "NetworkInterfaceCount": 0}).status == "fail"
    assert unused.evaluate({"GroupName": "default", "NetworkInterfaceCount": 0}).status == "pass"
    assert unused.evaluate({"GroupName": "app", "NetworkInterfaceCount": 3}).status == "pass"


def test_migrated_statement_and_account_policies(migrated: tuple[Path, dict[str, Any]]) -> None:
    out, _ = migrated
    tls = _policy(out, "s3-insecure-transport-allowed")
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:*"],
        "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    assert tls.evaluate({"Policy": json.dumps({"Statement": [deny]})}).status == "pass"
    assert tls.evaluate({"Policy": None}).status == "fail"
    password = _policy(out, "weak-password-policy")
    assert password.document.resource == "aws.iam.password_policy"
    strong = {"MinimumPasswordLength": 14, "PasswordReusePrevention": 24}
    assert password.evaluate(strong).status == "pass"
    assert password.evaluate({**strong, "PasswordReusePrevention": 5}).status == "fail"
    keys = _policy(out, "iam-stale-keys")
    assert keys.document.condition == {
        "check": "credential-age",
        "max_days": 90,
        "basis": "created",
        "only_active": False,
    }
    assert _policy(out, "root-mfa-off").document.resource == "aws.iam.account_summary"
    teams = _policy(out, "iam-role-outside-known-teams")
    assert teams.evaluate({"Path": "/teams/search/"}).status == "pass"
    assert teams.evaluate({"Path": "/teams/ads/"}).status == "fail"
    assert teams.evaluate({"Path": "/"}).status == "fail"  # Custodian flags no team too


def test_a_remote_value_from_is_reported_not_fetched(tmp_path: Path) -> None:
    source = tmp_path / "remote.yml"
    source.write_text(
        "policies:\n"
        "  - name: sg-outside-allowed\n"
        "    resource: security-group\n"
        "    filters:\n"
        "      - type: ingress\n"
        "        Cidr:\n"
        "          op: not-in\n"
        "          value_type: cidr\n"
        "          value_from: {url: 's3://bucket/allowed.csv', format: csv}\n"
    )
    result = convert_text(source.read_text(), str(source))
    [outcome] = result.outcomes
    assert outcome.status == "not converted"
    [(path, why)] = outcome.problems
    assert path == "policies[0].filters[0].Cidr.value_from.url"
    assert "is read each time Custodian runs" in why


def test_a_key_pacbot_does_not_collect_converts_with_a_review_note() -> None:
    result = convert_text(
        """\
policies:
  - name: imds-typo
    resource: ec2
    filters:
      - MetadataOption.HttpTokens: optional
  - name: imds
    resource: ec2
    filters:
      - MetadataOptions.HttpTokens: optional
"""
    )
    typo, right = result.outcomes
    assert typo.status == right.status == "converted"
    assert typo.notes == [
        (
            "policies[0].filters",
            "review: 'MetadataOption' not in PacBot's documented config of aws.ec2.instance",
        )
    ]
    assert right.notes == []
    assert "policies[0].filters: review: 'MetadataOption' not in" in result.report()
