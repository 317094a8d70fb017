"""A scan asks only for what its policies read, and judges exactly as a full scan would."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from pacbot.assessor.conditions.registry import CHECKS
from pacbot.assessor.policies.loader import load_policies
from pacbot.assessor.settings import SHIPPED_PACKS
from pacbot.cli.demo import moto_server
from pacbot.cli.estate import seed
from pacbot.cli.reads import KEYLESS_CHECK_READS, key_roots, policy_reads
from pacbot.cli.scan import ScanOptions, run_scan
from pacbot.inventory.connectors import CONNECTORS, Connector, ConnectorRegistry

THREE = [
    "aws-s3-bucket-public-access",
    "aws-s3-bucket-default-encryption",
    "aws-ec2-sg-no-open-admin-ports-ipv4",
]


@pytest.mark.parametrize(
    ("key", "roots"),
    [
        ("Encryption.Rules", {"Encryption"}),
        ("tag:Owner", {"Tags"}),
        ("keys(Tags || `{}`)", {"Tags"}),
        ("length(Grants[?Permission == 'READ'].Grantee)", {"Grants"}),
        ("Policy.Statement[*].Effect | [0]", {"Policy"}),
        ("[A.B, C]", {"A", "C"}),
        ("{x: A, y: B.C}", {"A", "B"}),
        ("sort_by(Items, &Name)[0]", {"Items"}),
        ("@", None),
        ("keys(@)", None),
        ("not valid [", None),
    ],
)
def test_key_roots_are_the_top_level_attributes_read(key: str, roots: set[str] | None) -> None:
    assert key_roots(key) == (None if roots is None else frozenset(roots))


def test_every_shipped_policy_reads_known_attributes_of_declaring_connectors() -> None:
    report = load_policies([SHIPPED_PACKS])
    for policy in report.policies:
        meta = CONNECTORS.get(policy.document.resource).meta
        reads = policy_reads(policy)
        assert reads is not None, policy.id
        if meta.identity:  # an undeclared read would quietly make every call
            assert reads <= meta.attributes(), policy.id


def test_every_check_without_a_key_declares_what_it_reads() -> None:
    keyless = {
        spec.name
        for spec in CHECKS.specs()
        if spec.args is None or "key" not in spec.args.model_fields
    }
    assert keyless == set(KEYLESS_CHECK_READS)


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
        mp.delenv("AWS_PROFILE", raising=False)
        mp.delenv("AWS_SESSION_TOKEN", raising=False)
        with moto_server() as url:
            seed(boto3.client("s3", endpoint_url=url, region_name="us-east-1"))
            ec2 = boto3.client("ec2", endpoint_url=url, region_name="us-east-1")
            for i in range(3):
                group = ec2.create_security_group(GroupName=f"g{i}", Description="d")["GroupId"]
                cidr = "0.0.0.0/0" if i else "10.0.0.0/8"
                ec2.authorize_security_group_ingress(
                    GroupId=group,
                    IpPermissions=[
                        {
                            "IpProtocol": "tcp",
                            "FromPort": 22,
                            "ToPort": 22,
                            "IpRanges": [{"CidrIp": cidr}],
                        }
                    ],
                )
            _seed_lambda(url)
            yield url


def _seed_lambda(url: str) -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "*"}
        ],
    }
    iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1")
    role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument=json.dumps(trust))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    lam = boto3.client("lambda", endpoint_url=url, region_name="us-east-1")
    for name in ("open-fn", "closed-fn"):
        lam.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role["Role"]["Arn"],
            Handler="handler.handler",
            Code={"ZipFile": buffer.getvalue()},
        )
    lam.add_permission(
        FunctionName="open-fn", StatementId="all", Action="lambda:InvokeFunction", Principal="*"
    )


class RecordingRegistry(ConnectorRegistry):
    """The shipped connectors, remembering which calls each sweep was allowed."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: dict[str, Any] = {}
        self._connectors = dict(CONNECTORS._connectors)

    def get(self, resource_type: str) -> type[Connector]:
        cls = super().get(resource_type)
        calls = self.calls

        class Recorded(cls):  # type: ignore[valid-type,misc]
            def __init__(self, wanted: Any = None) -> None:
                super().__init__(wanted)
                calls[resource_type] = self.calls

        return Recorded


def _findings(endpoint: str, **options: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    registry = RecordingRegistry()
    result = run_scan(ScanOptions(endpoint_url=endpoint, **options), registry)
    return result.findings, registry.calls


RESTRICTED = [
    (THREE, "aws.s3.bucket", {"acl", "policy_status", "public_access_block", "encryption"}),
    (["aws-s3-bucket-versioning"], "aws.s3.bucket", {"versioning"}),
    (["aws-tagging-s3-bucket-mandatory-tags"], "aws.s3.bucket", {"tagging"}),
    (["aws-lambda-function-public-policy"], "aws.lambda.function", {"policy"}),
    (["aws-lambda-function-tracing"], "aws.lambda.function", set()),
]


@pytest.mark.parametrize(("policies", "resource_type", "expected"), RESTRICTED)
def test_a_restricted_scan_judges_exactly_as_the_full_scan(
    endpoint: str, policies: list[str], resource_type: str, expected: set[str]
) -> None:
    types = ["aws.s3.bucket", "aws.ec2.security_group", "aws.lambda.function"]
    full, full_calls = _findings(endpoint, resources=types)
    restricted, calls = _findings(endpoint, policies=policies)
    wanted = set(policies)
    assert restricted == [f for f in full if f["policy_id"] in wanted]
    assert {f["status"] for f in restricted} >= {"fail"} or policies != THREE
    # the full scan made every call; the restricted one only those its policies read
    for t in ("aws.s3.bucket", "aws.lambda.function"):
        assert full_calls[t] == frozenset(CONNECTORS.get(t).meta.calls())
    assert calls[resource_type] == expected


def test_the_scan_finds_the_shipped_packs_where_the_assessor_keeps_them() -> None:
    from pacbot.cli.scan import SHIPPED_PACKS as FOUND

    assert FOUND == SHIPPED_PACKS
    assert FOUND.is_dir()
