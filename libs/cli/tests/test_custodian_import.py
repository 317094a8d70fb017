"""`pacbot policy import-custodian`: Custodian value/named filters → inverted PacBot policies."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pacbot.assessor.policies.loader import load_text
from pacbot.cli.custodian_import import convert_text
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
  - name: glue-jobs
    resource: aws.glue-job
    filters:
      - Timeout: 10
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
      - type: instance-age
        days: 30
"""


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return convert_text(CUSTODIAN)


def _loaded(result, policy_id):  # type: ignore[no-untyped-def]
    doc = next(d for d in result.documents if d["id"] == policy_id)
    policy = load_text(yaml.safe_dump(doc, sort_keys=False), f"{policy_id}.yaml")
    assert not hasattr(policy, "message"), policy
    assert policy.example_mismatches() == []
    return policy


def test_converted_documents_load_and_carry_examples(result) -> None:  # type: ignore[no-untyped-def]
    ids = [d["id"] for d in result.documents]
    assert ids == [
        "custodian-ebs-unencrypted",
        "custodian-old-iam-users-no-owner",
        "custodian-sg-ssh-open",
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
        "check": "security-group-open-ports",
        "ports": [22],
        "cidrs": ["0.0.0.0/0"],
    }
    rule = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": []}
    assert policy.evaluate({"IpPermissions": [rule]}).status == "fail"
    private = {**rule, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}
    assert policy.evaluate({"IpPermissions": [private]}).status == "pass"


def test_report_names_exactly_the_unconvertible_parts(result) -> None:  # type: ignore[no-untyped-def]
    assert not result.ok
    problems = {o.index: [p for p, _ in o.problems] for o in result.outcomes}
    assert problems == {
        0: [],
        1: [],
        2: [],
        3: ["policies[3].resource"],
        4: ["policies[4].filters[1].or[1]", "policies[4].filters[2]", "policies[4].filters[3]"],
    }
    report = result.report()
    assert "policies[3].resource: unmapped resource 'aws.glue-job'" in report
    assert "policies[4].filters[1].or[1]: filter 'marked-for-op' not convertible" in report
    assert "policies[4].filters[2]: unsupported op 'mod'" in report
    assert "policies[4].filters[3]: unknown filter type 'instance-age'" in report
    assert "policies[0].actions: ignored: mark-for-op" in report
    assert "policies[2].actions: ignored: notify, remove-permissions" in report
    assert "policies[2].mode: ignored (type periodic)" in report
    assert report.splitlines()[-1] == "3 converted, 2 not converted"


def test_cli_writes_files_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "c7n.yaml"
    source.write_text(CUSTODIAN)
    out = tmp_path / "out"
    assert main(["policy", "import-custodian", str(source), "--out", str(out)]) == 1
    written = sorted(p.name for p in out.iterdir())
    assert written == [
        "custodian-ebs-unencrypted.yaml",
        "custodian-old-iam-users-no-owner.yaml",
        "custodian-sg-ssh-open.yaml",
    ]
    assert main(["policy", "lint", str(out)]) == 0
    assert main(["policy", "test", str(out)]) == 0
    assert "policies[4].filters[2]: unsupported op 'mod'" in capsys.readouterr().out


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
