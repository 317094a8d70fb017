"""The built-in registered checks over realistic inventory config shapes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pacbot.assessor.conditions import CHECKS, Outcome, compile_condition
from pacbot.assessor.conditions.builtin import tls_floor


def run(raw: dict[str, Any], config: dict[str, Any], **params: Any) -> Outcome:
    return compile_condition(raw, ("condition",), params, CHECKS).evaluate(config, params)


def ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat().replace("+00:00", "Z")


ADMIN = {"Effect": "Allow", "Action": "*", "Resource": "*"}
READ = {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*"}


@pytest.mark.parametrize(
    ("config", "status"),
    [
        ({"PolicyDocument": {"Version": "2012-10-17", "Statement": [ADMIN]}}, "fail"),
        (
            {"PolicyDocument": {"Statement": {**ADMIN, "Action": ["*:*"], "Resource": ["*"]}}},
            "fail",
        ),
        ({"PolicyDocument": {"Statement": [READ]}}, "pass"),
        ({"PolicyDocument": {"Statement": [{**ADMIN, "Effect": "Deny"}]}}, "pass"),
        ({"PolicyDocument": {"Statement": [{**ADMIN, "Resource": "arn:aws:s3:::b"}]}}, "pass"),
        (
            {
                "PolicyDocument": (
                    '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
                )
            },
            "fail",
        ),
        ({"PolicyDocument": None}, "pass"),
        ({"PolicyDocument": "not json"}, "error"),
        ({"PolicyDocument": 5}, "error"),
    ],
)
def test_iam_policy_allows_admin(config: dict[str, Any], status: str) -> None:
    outcome = run({"check": "iam-policy-allows-admin"}, config)
    assert outcome.status == status, outcome.reason
    if status == "fail":
        assert outcome.evidence["statements"]


def test_iam_admin_over_a_users_inline_policies() -> None:
    user = {
        "UserName": "alice",
        "UserPolicyList": [
            {"PolicyName": "read", "PolicyDocument": {"Statement": [READ]}},
            {"PolicyName": "god", "PolicyDocument": {"Statement": [ADMIN]}},
        ],
    }
    raw = {"check": "iam-policy-allows-admin", "key": "UserPolicyList[].PolicyDocument"}
    outcome = run(raw, user)
    assert outcome.status == "fail"
    assert outcome.evidence["statements"] == [ADMIN]
    assert run(raw, {**user, "UserPolicyList": []}).status == "pass"


PUBLIC = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}


@pytest.mark.parametrize(
    ("statement", "status"),
    [
        (PUBLIC, "fail"),
        ({**PUBLIC, "Principal": {"AWS": "*"}}, "fail"),
        ({**PUBLIC, "Principal": {"AWS": ["arn:aws:iam::1:root", "*"]}}, "fail"),
        ({**PUBLIC, "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}}}, "pass"),
        ({**PUBLIC, "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}, "pass"),
        ({**PUBLIC, "Principal": {"Service": "cloudtrail.amazonaws.com"}}, "pass"),
        ({**PUBLIC, "Effect": "Deny"}, "pass"),
    ],
)
def test_iam_policy_public_principal(statement: dict[str, Any], status: str) -> None:
    bucket = {"Name": "b", "Policy": {"Version": "2012-10-17", "Statement": [statement]}}
    outcome = run({"check": "iam-policy-public-principal", "key": "Policy"}, bucket)
    assert outcome.status == status, outcome.reason


def test_public_principal_with_no_policy_passes() -> None:
    outcome = run({"check": "iam-policy-public-principal", "key": "Policy"}, {"Policy": None})
    assert outcome.status == "pass"


def rule(proto: str, low: int | None, high: int | None, *cidrs: str) -> dict[str, Any]:
    shaped: dict[str, Any] = {
        "IpProtocol": proto,
        "IpRanges": [{"CidrIp": c} for c in cidrs if ":" not in c],
        "Ipv6Ranges": [{"CidrIpv6": c} for c in cidrs if ":" in c],
        "PrefixListIds": [],
        "UserIdGroupPairs": [],
    }
    if low is not None:
        shaped.update(FromPort=low, ToPort=high)
    return shaped


@pytest.mark.parametrize(
    ("rules", "status"),
    [
        ([rule("tcp", 22, 22, "0.0.0.0/0")], "fail"),
        ([rule("tcp", 0, 1024, "::/0")], "fail"),
        ([rule("-1", None, None, "0.0.0.0/0")], "fail"),
        ([rule("tcp", 443, 443, "0.0.0.0/0")], "pass"),
        ([rule("tcp", 22, 22, "10.0.0.0/8")], "pass"),
        ([rule("udp", 3389, 3389, "0.0.0.0/0")], "fail"),
        ([rule("icmp", -1, -1, "0.0.0.0/0")], "pass"),
        ([], "pass"),
    ],
)
def test_security_group_open_ports(rules: list[dict[str, Any]], status: str) -> None:
    group = {"GroupId": "sg-1", "GroupName": "web", "IpPermissions": rules}
    outcome = run({"check": "security-group-open-ports", "ports": [22, 3389]}, group)
    assert outcome.status == status, outcome.reason
    if status == "fail":
        assert outcome.evidence["open"]


def test_open_ports_with_custom_cidrs_uses_containment() -> None:
    group = {"IpPermissions": [rule("tcp", 22, 22, "0.0.0.0/0")]}
    raw = {"check": "security-group-open-ports", "ports": [22], "cidrs": ["10.0.0.0/8"]}
    assert run(raw, group).status == "fail"
    narrow = {"IpPermissions": [rule("tcp", 22, 22, "10.1.0.0/16")]}
    assert run(raw, narrow).status == "pass"
    assert run(raw, {}).status == "not_applicable"


def test_open_ports_reads_ports_from_a_param() -> None:
    raw = {"check": "security-group-open-ports", "ports": {"param": "ports"}}
    group = {"IpPermissions": [rule("tcp", 80, 80, "0.0.0.0/0")]}
    assert run(raw, group, ports=[80]).status == "fail"
    assert run(raw, group, ports=[22]).status == "pass"
    condition = compile_condition(raw, ("condition",), {"ports": [22]}, CHECKS)
    broken = condition.evaluate(group, {"ports": ["ssh"]})
    assert broken.status == "error"
    assert "bad argument" in broken.reason


@pytest.mark.parametrize(
    ("name", "floor"),
    [
        ("ELBSecurityPolicy-TLS-1-2-2017-01", (1, 2)),
        ("ELBSecurityPolicy-TLS-1-2-Ext-2018-06", (1, 2)),
        ("ELBSecurityPolicy-TLS13-1-3-2021-06", (1, 3)),
        ("ELBSecurityPolicy-TLS13-1-2-2021-06", (1, 2)),
        ("ELBSecurityPolicy-TLS13-1-0-2021-06", (1, 0)),
        ("ELBSecurityPolicy-FS-1-1-2019-08", (1, 1)),
        ("ELBSecurityPolicy-2016-08", (1, 0)),
        ("ELBSecurityPolicy-FS-2018-06", (1, 0)),
        ("ELBSecurityPolicy-2014-01", (0, 3)),
        ("TLSv1.2_2021", (1, 2)),
        ("TLSv1.1_2016", (1, 1)),
        ("TLSv1_2016", (1, 0)),
        ("TLSv1", (1, 0)),
        ("SSLv3", (0, 3)),
        ("Policy-Min-TLS-1-2-2019-07", (1, 2)),
        ("Policy-Min-TLS-1-2-PFS-2023-10", (1, 2)),
        ("Policy-Min-TLS-1-0-2019-07", (1, 0)),
        ("TLS_1_2", (1, 2)),
        ("TLS_1_0", (1, 0)),
        ("my-custom-policy", None),
    ],
)
def test_tls_floor_names(name: str, floor: tuple[int, int] | None) -> None:
    assert tls_floor(name) == floor


@pytest.mark.parametrize(
    ("config", "key", "status"),
    [
        (
            {"Listeners": [{"Port": 443, "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}]},
            "Listeners[].SslPolicy",
            "pass",
        ),
        (
            {"Listeners": [{"Port": 443, "SslPolicy": "ELBSecurityPolicy-2016-08"}]},
            "Listeners[].SslPolicy",
            "fail",
        ),
        (
            {"Listeners": [{"Port": 80, "Protocol": "HTTP"}]},
            "Listeners[].SslPolicy",
            "not_applicable",
        ),
        (
            {"ViewerCertificate": {"MinimumProtocolVersion": "TLSv1.2_2021"}},
            "ViewerCertificate.MinimumProtocolVersion",
            "pass",
        ),
        (
            {"ViewerCertificate": {"MinimumProtocolVersion": "TLSv1_2016"}},
            "ViewerCertificate.MinimumProtocolVersion",
            "fail",
        ),
        (
            {"DomainEndpointOptions": {"TLSSecurityPolicy": "Policy-Min-TLS-1-0-2019-07"}},
            "DomainEndpointOptions.TLSSecurityPolicy",
            "fail",
        ),
        ({"Policy": "custom-negotiation"}, "Policy", "error"),
    ],
)
def test_tls_policy_minimum(config: dict[str, Any], key: str, status: str) -> None:
    outcome = run({"check": "tls-policy-minimum", "key": key}, config)
    assert outcome.status == status, outcome.reason


def test_tls_minimum_can_be_raised() -> None:
    config = {"P": "ELBSecurityPolicy-TLS13-1-2-2021-06"}
    assert (
        run({"check": "tls-policy-minimum", "key": "P", "min_version": "1.3"}, config).status
        == "fail"
    )


def access_key(created: float, used: float | None = None, status: str = "Active") -> dict[str, Any]:
    return {
        "AccessKeyId": f"AKIA{int(created)}",
        "Status": status,
        "CreateDate": ago(created),
        "LastUsedDate": ago(used) if used is not None else None,
        "LastUsedServiceName": "s3" if used is not None else None,
    }


@pytest.mark.parametrize(
    ("keys", "basis", "status"),
    [
        ([access_key(10)], "created", "pass"),
        ([access_key(100)], "created", "fail"),
        ([access_key(100, status="Inactive")], "created", "pass"),
        ([access_key(100, used=1)], "last_used", "pass"),
        ([access_key(100, used=95)], "last_used", "fail"),
        ([access_key(100)], "last_used", "fail"),  # never used: judged by its CreateDate
        ([], "created", "pass"),
        (None, "created", "pass"),
        (
            [{"AccessKeyId": "AKIA1", "Status": "Active", "CreateDate": "yesterday"}],
            "created",
            "error",
        ),
    ],
)
def test_credential_age(keys: list[dict[str, Any]] | None, basis: str, status: str) -> None:
    user = {"UserName": "bob", "AccessKeys": keys}
    raw = {"check": "credential-age", "max_days": 90, "basis": basis}
    outcome = run(raw, user)
    assert outcome.status == status, outcome.reason
    if status == "fail":
        assert list(outcome.evidence["stale_days"]) == [keys[0]["AccessKeyId"]]  # type: ignore[index]


def test_credential_age_includes_inactive_keys_when_asked() -> None:
    raw = {"check": "credential-age", "max_days": 90, "only_active": False}
    assert run(raw, {"AccessKeys": [access_key(100, status="Inactive")]}).status == "fail"
