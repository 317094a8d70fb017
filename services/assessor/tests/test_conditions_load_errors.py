"""Bad conditions are load errors naming file, line and the path inside the document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pacbot.assessor.policies.loader import PolicyError, load_text
from pacbot.assessor.policies.model import policy_json_schema

HEAD = """\
id: demo
version: 1
name: Demo
description: Load error tests.
resource: aws.ec2.security_group
severity: low
category: security
remediation: {text: Fix it.}
params:
  days: {default: 90}
condition:
  and:
    - {key: GroupName, op: present}
"""


def error_of(line: str) -> PolicyError:
    loaded = load_text(HEAD + f"    - {line}\n", "aws/demo.yaml")
    assert isinstance(loaded, PolicyError), f"expected a load error, got {loaded!r}"
    assert loaded.line == 14, str(loaded)
    return loaded


@pytest.mark.parametrize(
    ("line", "path", "fragment"),
    [
        ("{key: 'a[', op: present}", "condition.and[1].key", "invalid JMESPath"),
        ("{key: 'tag:', op: present}", "condition.and[1].key", "tag name"),
        ("{key: A, op: similar, value: 1}", "condition.and[1].op", "unknown operator 'similar'"),
        (
            "{key: A, op: eq, value: 1, value_type: weird}",
            "condition.and[1].value_type",
            "unknown value_type",
        ),
        (
            "{key: A, op: regex, value: 1, value_type: cidr}",
            "condition.and[1].op",
            "does not apply",
        ),
        (
            "{key: A, op: gt, value: soon, value_type: age}",
            "condition.and[1].value",
            "number of days",
        ),
        (
            "{key: A, op: in, value: [10.0.0.0/33], value_type: cidr}",
            "condition.and[1].value",
            "not a valid CIDR",
        ),
        (
            "{key: A, op: gt, value: yesterday, value_type: date}",
            "condition.and[1].value",
            "ISO-8601",
        ),
        (
            "{key: A, op: eq, value: x, value_type: integer}",
            "condition.and[1].value",
            "not an integer",
        ),
        (
            "{key: A, op: regex, value: '(unclosed'}",
            "condition.and[1].value",
            "invalid regular expression",
        ),
        ("{key: A, op: glob, value: [a]}", "condition.and[1].value", "string pattern"),
        ("{key: A, op: intersect, value: a}", "condition.and[1].value", "expects a list"),
        ("{key: A, op: eq}", "condition.and[1]", "needs a value"),
        ("{key: A, op: not-null, value: 1}", "condition.and[1].value", "takes no value"),
        ("{key: A, op: eq, value: 1, type: value}", "condition.and[1].type", "unexpected field"),
        ("{check: no-such-check}", "condition.and[1].check", "unknown check 'no-such-check'"),
        ("{check: security-group-open-ports}", "condition.and[1].ports", "needs this argument"),
        (
            "{check: security-group-open-ports, ports: [70000]}",
            "condition.and[1].ports",
            "outside 0-65535",
        ),
        (
            "{check: security-group-open-ports, ports: [22], cidrs: [nope]}",
            "condition.and[1].cidrs",
            "not a valid CIDR",
        ),
        (
            "{check: security-group-open-ports, ports: [22], port: 1}",
            "condition.and[1].port",
            "unknown argument",
        ),
        (
            "{check: tls-policy-minimum, key: 'x[', min_version: '1.2'}",
            "condition.and[1].key",
            "invalid JMESPath",
        ),
        (
            "{check: tls-policy-minimum, key: P, min_version: '2.0'}",
            "condition.and[1].min_version",
            "bad argument",
        ),
        (
            "{check: credential-age, max_days: -1}",
            "condition.and[1].max_days",
            "greater than or equal",
        ),
        (
            "{check: credential-age, max_days: {param: nope}}",
            "condition.and[1].max_days.param",
            "unknown param",
        ),
        ("{check: iam-policy-allows-admin, key: 5}", "condition.and[1].key", "bad argument"),
    ],
)
def test_bad_conditions_are_located(line: str, path: str, fragment: str) -> None:
    error = error_of(line)
    assert error.path == path, str(error)
    assert fragment in error.message, str(error)
    assert str(error).startswith(f"aws/demo.yaml:14: {path}: ")


def test_param_default_is_validated_against_the_value_type() -> None:
    text = HEAD.replace("{default: 90}", "{default: ninety}") + (
        "    - {key: CreateDate, op: gt, value: {param: days}, value_type: age}\n"
    )
    loaded = load_text(text, "aws/demo.yaml")
    assert isinstance(loaded, PolicyError)
    assert loaded.path == "condition.and[1].value"


def test_good_typed_condition_loads() -> None:
    text = HEAD + (
        "    - {key: CreateDate, op: lt, value: {param: days}, value_type: age}\n"
        "    - {check: security-group-open-ports, ports: [22, 3389]}\n"
    )
    loaded = load_text(text, "aws/demo.yaml")
    assert not isinstance(loaded, PolicyError), str(loaded)
    config = {"GroupName": "g", "CreateDate": "2999-01-01T00:00:00Z", "IpPermissions": []}
    assert loaded.evaluate(config).status == "pass"


DOCS = Path(__file__).resolve().parents[3] / "docs"


def test_published_policy_schema_matches_the_code() -> None:
    published = json.loads((DOCS / "policy-schema.json").read_text())
    assert published == policy_json_schema(), (
        "docs/policy-schema.json is stale: regenerate it from policy_json_schema()"
    )


def test_schema_lists_every_check_and_operator() -> None:
    defs = policy_json_schema()["$defs"]
    assert {"Check_security_group_open_ports", "Check_credential_age"} <= set(defs)
    assert "not-null" in defs["ValueCondition"]["properties"]["op"]["enum"]
    assert "cidr" in defs["ValueCondition"]["properties"]["value_type"]["enum"]
    assert defs["Condition"]["oneOf"][0] == {"$ref": "#/$defs/ValueCondition"}
