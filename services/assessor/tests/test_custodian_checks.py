"""The checks and value types added for Cloud Custodian's filters: security-group rule shapes,
required policy statements, cross-account access, versions and CIDR sizes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pacbot.assessor.conditions import CHECKS, ConditionError, compile_condition

OWN = "123456789012"
OTHER = "999988887777"


def _status(condition: dict[str, Any], config: dict[str, Any]) -> str:
    return compile_condition(condition, ("condition",), {}, CHECKS).evaluate(config, {}).status


def _rule(
    protocol: str = "tcp", low: int | None = 22, high: int | None = 22, **sources: Any
) -> Any:
    rule: dict[str, Any] = {"IpProtocol": protocol}
    if low is not None:
        rule.update(FromPort=low, ToPort=high)
    for name in ("IpRanges", "Ipv6Ranges", "PrefixListIds", "UserIdGroupPairs"):
        rule[name] = sources.get(name, [])
    return rule


def _group(*rules: Any, key: str = "IpPermissions") -> dict[str, Any]:
    return {"GroupId": "sg-1", key: list(rules)}


OPEN_SSH = _rule(IpRanges=[{"CidrIp": "10.0.0.0/8"}, {"CidrIp": "0.0.0.0/0"}])
PRIVATE_HTTPS = _rule(low=443, high=443, IpRanges=[{"CidrIp": "10.0.0.0/8"}])
ALL_TRAFFIC = _rule("-1", None, None, Ipv6Ranges=[{"CidrIpv6": "::/0"}])
SELF = _rule(low=0, high=65535, UserIdGroupPairs=[{"GroupId": "sg-1", "UserId": OWN}])


@pytest.mark.parametrize(
    ("shape", "rules", "status"),
    [
        ({"ports": [22], "cidr": {"value": "0.0.0.0/0"}}, [OPEN_SSH], "fail"),
        ({"ports": [22], "cidr": {"value": "0.0.0.0/0"}}, [PRIVATE_HTTPS], "pass"),
        # each source is its own rule: 10.0.0.0/8 on 22 is not open to the world
        ({"ports": [22], "cidr": {"value": "10.0.0.0/8", "op": "ne"}}, [OPEN_SSH], "fail"),
        ({"ports": [80]}, [OPEN_SSH, PRIVATE_HTTPS], "pass"),
        # only_ports: a rule opening anything but exactly 443 matches
        ({"only_ports": [443]}, [PRIVATE_HTTPS], "pass"),
        ({"only_ports": [443]}, [OPEN_SSH], "fail"),
        # a rule without a port range is judged by its other criteria (Custodian's behaviour)
        ({"ports": [22], "cidr_v6": {"value": "::/0"}}, [ALL_TRAFFIC], "fail"),
        ({"ports": [22]}, [ALL_TRAFFIC], "pass"),
        (
            {"cidr": {"op": "not-in", "value": ["10.0.0.0/8"], "value_type": "cidr"}},
            [OPEN_SSH],
            "fail",
        ),
        (
            {"cidr": {"op": "not-in", "value": ["10.0.0.0/8"], "value_type": "cidr"}},
            [PRIVATE_HTTPS],
            "pass",
        ),
        ({"self_reference": True}, [SELF], "fail"),
        ({"self_reference": True}, [OPEN_SSH], "pass"),
        ({"self_reference": False, "ports": [22]}, [OPEN_SSH], "fail"),
        ({"rule": [{"key": "IpProtocol", "value": "-1"}]}, [ALL_TRAFFIC], "fail"),
        ({"rule": [{"key": "IpProtocol", "value": "-1"}]}, [OPEN_SSH], "pass"),
        # match any: either criterion is enough
        (
            {"match": "any", "cidr": {"value": "0.0.0.0/0"}, "cidr_v6": {"value": "::/0"}},
            [ALL_TRAFFIC],
            "fail",
        ),
        (
            {"cidr": {"value": "0.0.0.0/0"}, "cidr_v6": {"value": "::/0"}},
            [ALL_TRAFFIC],
            "pass",
        ),
    ],
)
def test_security_group_rule_shapes(shape: dict[str, Any], rules: list[Any], status: str) -> None:
    assert _status({"check": "security-group-rules", **shape}, _group(*rules)) == status


def test_security_group_rules_read_egress_and_report_the_matching_rule() -> None:
    check = {"check": "security-group-rules", "key": "IpPermissionsEgress", "ports": [22]}
    config = _group(OPEN_SSH, key="IpPermissionsEgress")
    outcome = compile_condition(check, ("c",), {}, CHECKS).evaluate(config, {})
    assert outcome.status == "fail"
    assert [r["IpRanges"] for r in outcome.evidence["matched"]] == [
        [{"CidrIp": "10.0.0.0/8"}],
        [{"CidrIp": "0.0.0.0/0"}],
    ]
    assert _status(check, {"GroupId": "sg-1"}) == "not_applicable"


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ({}, "at least one of"),
        ({"ports": [70000]}, "outside 0-65535"),
        ({"cidr": {"op": "bogus", "value": "0.0.0.0/0"}}, "bogus"),
        ({"rule": [{"value": "-1"}]}, "needs a key"),
    ],
)
def test_security_group_rules_refuse_bad_shapes(shape: dict[str, Any], message: str) -> None:
    with pytest.raises(ConditionError) as raised:
        compile_condition({"check": "security-group-rules", **shape}, ("c",), {}, CHECKS)
    assert message in raised.value.message


QUEUE_ARN = f"arn:aws:sqs:us-east-1:{OWN}:orders"
DENY_INSECURE = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": "*",
    "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"],
    "Resource": QUEUE_ARN,
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


def _queue(*statements: Any, as_text: bool = True) -> dict[str, Any]:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return {"QueueArn": QUEUE_ARN, "Policy": json.dumps(document) if as_text else document}


@pytest.mark.parametrize(
    ("args", "status"),
    [
        ({"statement_ids": ["DenyInsecureTransport"]}, "pass"),
        ({"statement_ids": ["DenyInsecureTransport", "Other"]}, "fail"),
        # order and case of actions aside, the whole element must match
        (
            {
                "statements": [
                    {
                        "Effect": "Deny",
                        "Action": ["SQS:ReceiveMessage", "sqs:SendMessage"],
                        "Principal": "*",
                    }
                ]
            },
            "pass",
        ),
        ({"statements": [{"Effect": "Deny", "Action": "sqs:SendMessage"}]}, "fail"),
        (
            {
                "statements": [
                    {"Effect": "Deny", "Action": "sqs:SendMessage", "PartialMatch": "Action"}
                ]
            },
            "pass",
        ),
        (
            {
                "statements": [
                    {
                        "Effect": "Deny",
                        "Resource": "arn:aws:sqs:{region}:{account_id}:orders",
                        "Condition": {"bool": {"aws:securetransport": "false"}},
                    }
                ]
            },
            "pass",
        ),
        ({"statements": [{"Effect": "Allow", "Principal": "*"}]}, "fail"),
    ],
)
def test_policy_has_statements(args: dict[str, Any], status: str) -> None:
    condition = {"check": "policy-has-statements", **args}
    assert _status(condition, _queue(DENY_INSECURE)) == status
    assert _status(condition, _queue(DENY_INSECURE, as_text=False)) == status


def test_a_missing_policy_holds_no_statement_and_a_broken_one_is_an_error() -> None:
    condition = {"check": "policy-has-statements", "statement_ids": ["DenyInsecureTransport"]}
    assert _status(condition, {"QueueArn": QUEUE_ARN}) == "fail"
    assert _status(condition, {"QueueArn": QUEUE_ARN, "Policy": "{not json"}) == "error"
    with pytest.raises(ConditionError):
        compile_condition(
            {"check": "policy-has-statements", "statements": [{"Effect": "Deny", "Nope": 1}]},
            ("c",),
            {},
            CHECKS,
        )


def _allow(principal: Any, condition: Any = None) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sqs:*", "Resource": "*"}
    if condition is not None:
        statement["Condition"] = condition
    return statement


@pytest.mark.parametrize(
    ("statement", "args", "status"),
    [
        (_allow({"AWS": f"arn:aws:iam::{OWN}:root"}), {}, "pass"),
        (_allow({"AWS": f"arn:aws:iam::{OTHER}:role/reader"}), {}, "fail"),
        (_allow({"AWS": OTHER}), {"allowed_accounts": [OTHER]}, "pass"),
        (_allow("*"), {}, "fail"),
        (_allow("*", {"StringEquals": {"aws:SourceAccount": OWN}}), {}, "pass"),
        (_allow("*", {"StringEquals": {"aws:SourceAccount": OTHER}}), {}, "fail"),
        (_allow("*", {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}), {}, "fail"),
        (
            _allow("*", {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}),
            {"allowed_org_ids": ["o-abc"]},
            "pass",
        ),
        (_allow({"AWS": OTHER}), {"everyone_only": True}, "pass"),
        (_allow({"Service": "sns.amazonaws.com"}), {}, "pass"),
        ({**_allow("*"), "Effect": "Deny"}, {}, "pass"),
    ],
)
def test_policy_cross_account(statement: Any, args: dict[str, Any], status: str) -> None:
    assert _status({"check": "policy-cross-account", **args}, _queue(statement)) == status


def test_cross_account_refuses_a_malformed_account() -> None:
    with pytest.raises(ConditionError) as raised:
        compile_condition(
            {"check": "policy-cross-account", "allowed_accounts": ["12345"]}, ("c",), {}, CHECKS
        )
    assert "12-digit" in raised.value.message


@pytest.mark.parametrize(
    ("actual", "op", "expected", "status"),
    [
        ("5.7.10", "ge", "5.7.9", "pass"),
        ("1.10", "gt", "1.9", "pass"),
        ("8.0.35", "lt", "8.0.4", "fail"),
        ("14.2", "in", ["14.2", "15.1"], "pass"),
    ],
)
def test_version_value_type(actual: str, op: str, expected: Any, status: str) -> None:
    condition = {"key": "EngineVersion", "op": op, "value": expected, "value_type": "version"}
    assert _status(condition, {"EngineVersion": actual}) == status


def test_cidr_size_value_type() -> None:
    condition = {"key": "CidrBlock", "op": "ge", "value": 16, "value_type": "cidr_size"}
    assert _status(condition, {"CidrBlock": "10.0.0.0/16"}) == "pass"
    assert _status(condition, {"CidrBlock": "10.0.0.0/8"}) == "fail"
    assert _status(condition, {"CidrBlock": "not-a-cidr"}) == "error"


def test_value_regex_compares_what_it_captures() -> None:
    condition = {
        "key": "Name",
        "value_regex": r"^web-(\d{4}-\d{2}-\d{2})$",
        "op": "ge",
        "value": "2024-01-01",
        "value_type": "date",
    }
    assert _status(condition, {"Name": "web-2024-06-01"}) == "pass"
    assert _status(condition, {"Name": "web-2023-06-01"}) == "fail"
    assert _status(condition, {"Name": "db-2024-06-01"}) == "fail"  # no match: missing
    assert _status(condition, {"Name": 7}) == "fail"
    team = {"key": "Path", "value_regex": "^/teams/([a-z]+)/", "op": "in", "value": ["search"]}
    assert _status(team, {"Path": "/teams/search/"}) == "pass"
    assert _status(team, {"Path": "/teams/ads/"}) == "fail"


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("^(a", "invalid regular expression"),
        ("^abc$", "exactly one capture group"),
        (3, "expected"),
    ],
)
def test_value_regex_must_compile_with_one_group(pattern: Any, message: str) -> None:
    with pytest.raises(ConditionError) as raised:
        compile_condition(
            {"key": "Name", "value_regex": pattern, "op": "eq", "value": "x"}, ("c",), {}, CHECKS
        )
    assert message in raised.value.message
    assert raised.value.path == ("c", "value_regex")
