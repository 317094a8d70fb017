"""The condition language: operators, combinators, params, checks, errors and evidence."""

from __future__ import annotations

from typing import Any

import pytest

from pacbot.assessor.conditions import CHECKS, CheckRegistry, Outcome, compile_condition


def verdict(raw: dict[str, Any], config: dict[str, Any], **params: Any) -> Outcome:
    condition = compile_condition(raw, ("condition",), params, CHECKS)
    return condition.evaluate(config, params)


@pytest.mark.parametrize(
    ("op", "value", "actual", "status"),
    [
        ("eq", 1, 1, "pass"),
        ("eq", 1, 2, "fail"),
        ("ne", "a", "b", "pass"),
        ("gt", 3, 5, "pass"),
        ("gt", 3, 3, "fail"),
        ("ge", 3, 3, "pass"),
        ("lt", 3, 2, "pass"),
        ("le", 3, 4, "fail"),
        ("gt", 3, None, "fail"),
        ("gt", 3, "five", "error"),
        ("in", ["a", "b"], "a", "pass"),
        ("in", ["a", "b"], "c", "fail"),
        ("not-in", ["a"], "b", "pass"),
        ("contains", "READ", ["READ", "WRITE"], "pass"),
        ("contains", "READ", None, "fail"),
        ("regex", "^prod-", "prod-logs", "pass"),
        ("regex", "^prod-", "dev-logs", "fail"),
        ("regex", "^prod-", 7, "fail"),
    ],
)
def test_value_operators(op: str, value: Any, actual: Any, status: str) -> None:
    outcome = verdict({"key": "A.B", "op": op, "value": value}, {"A": {"B": actual}})
    assert outcome.status == status
    assert outcome.evidence == {"A.B": actual}


@pytest.mark.parametrize(
    ("op", "actual", "status"),
    [
        ("absent", None, "pass"),
        ("absent", 0, "fail"),
        ("present", False, "pass"),
        ("empty", [], "pass"),
        ("empty", {}, "pass"),
        ("empty", None, "pass"),
        ("empty", 0, "fail"),
        ("not-empty", ["x"], "pass"),
        ("not-empty", "", "fail"),
    ],
)
def test_unary_operators(op: str, actual: Any, status: str) -> None:
    assert verdict({"key": "V", "op": op}, {"V": actual}).status == status


def test_missing_key_is_absent() -> None:
    assert verdict({"key": "Nope.Deeper", "op": "absent"}, {"V": 1}).status == "pass"


def test_and_fails_on_first_failure_with_its_reason_and_evidence() -> None:
    raw = {"and": [{"key": "A", "op": "eq", "value": 1}, {"key": "B", "op": "eq", "value": 2}]}
    outcome = verdict(raw, {"A": 1, "B": 3})
    assert outcome.status == "fail"
    assert outcome.reason == "B = 3 (should equal 2)"
    assert outcome.evidence == {"A": 1, "B": 3}


def test_or_passes_when_any_child_passes() -> None:
    raw = {"or": [{"key": "A", "op": "eq", "value": 1}, {"key": "B", "op": "eq", "value": 2}]}
    assert verdict(raw, {"A": 0, "B": 2}).status == "pass"
    failed = verdict(raw, {"A": 0, "B": 0})
    assert failed.status == "fail"
    assert " and " in failed.reason


def test_not_inverts_pass_and_fail_but_keeps_error() -> None:
    raw = {"not": {"key": "A", "op": "eq", "value": True}}
    assert verdict(raw, {"A": True}).status == "fail"
    assert verdict(raw, {"A": False}).status == "pass"
    assert verdict({"not": {"key": "A", "op": "gt", "value": 1}}, {"A": "x"}).status == "error"


def test_error_wins_over_pass_in_and_but_fail_wins_over_error() -> None:
    broken = {"key": "S", "op": "lt", "value": 3}
    ok = {"key": "A", "op": "eq", "value": 1}
    bad = {"key": "A", "op": "eq", "value": 2}
    assert verdict({"and": [broken, ok]}, {"S": "str", "A": 1}).status == "error"
    assert verdict({"and": [broken, bad]}, {"S": "str", "A": 1}).status == "fail"
    assert verdict({"or": [broken, ok]}, {"S": "str", "A": 1}).status == "pass"


def test_param_reference_resolves_at_evaluation() -> None:
    raw = {"key": "Days", "op": "ge", "value": {"param": "min_days"}}
    assert verdict(raw, {"Days": 30}, min_days=30).status == "pass"
    assert verdict(raw, {"Days": 29}, min_days=30).status == "fail"


def test_registered_check_can_return_bool_outcome_or_raise() -> None:
    checks = CheckRegistry()

    @checks.register("flag")
    def flag(config: dict[str, Any]) -> bool:
        return bool(config["Flag"])

    condition = compile_condition({"check": "flag"}, ("condition",), {}, checks)
    assert condition.evaluate({"Flag": 1}, {}).status == "pass"
    assert condition.evaluate({"Flag": 0}, {}).status == "fail"
    crashed = condition.evaluate({}, {})
    assert crashed.status == "error"
    assert "KeyError" in crashed.reason
    with pytest.raises(ValueError, match="already registered"):
        checks.register("flag")(flag)


def test_not_applicable_check_does_not_decide_an_and() -> None:
    checks = CheckRegistry()

    @checks.register("skip")
    def skip(config: dict[str, Any]) -> Outcome:
        return Outcome("not_applicable", "not for this asset")

    only = compile_condition({"check": "skip"}, ("c",), {}, checks)
    assert only.evaluate({}, {}).status == "not_applicable"
    mixed = compile_condition(
        {"and": [{"check": "skip"}, {"key": "A", "op": "present"}]}, ("c",), {}, checks
    )
    assert mixed.evaluate({"A": 1}, {}).status == "pass"


def test_builtin_public_access_block_check() -> None:
    flags = ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"]
    full = {"PublicAccessBlock": dict.fromkeys(flags, True)}
    partial = {"PublicAccessBlock": {**dict.fromkeys(flags, True), "IgnorePublicAcls": False}}
    assert verdict({"check": "s3-public-access-block-enabled"}, full).status == "pass"
    outcome = verdict({"check": "s3-public-access-block-enabled"}, partial)
    assert outcome.status == "fail"
    assert "IgnorePublicAcls" in outcome.reason


class Shown:
    """A config value that counts how often it is formatted."""

    def __init__(self) -> None:
        self.formatted = 0

    def __repr__(self) -> str:
        self.formatted += 1
        return "<shown>"


def test_reason_and_evidence_are_built_once_and_only_when_read() -> None:
    value = Shown()
    raw = {"and": [{"key": "A", "op": "present"}, {"not": {"key": "A", "op": "eq", "value": 1}}]}
    outcome = verdict(raw, {"A": value})
    assert outcome.status == "pass"
    assert value.formatted == 0  # judged without formatting anything
    expected = (
        "A = <shown> (should be present); does not hold, as required: A = <shown> (should equal 1)"
    )
    assert outcome.reason == expected
    assert value.formatted == 2
    assert outcome.reason == expected
    assert value.formatted == 2  # formatted once, then kept
    assert outcome.evidence == {"A": value}
    assert outcome.evidence is outcome.evidence


def test_a_bound_condition_judges_many_configs_with_params_resolved_once() -> None:
    raw = {"key": "Days", "op": "ge", "value": {"param": "min_days"}}
    condition = compile_condition(raw, ("condition",), {"min_days": 30}, CHECKS)
    strict, lenient = condition.bind({"min_days": 30}), condition.bind({"min_days": 10})
    assert [strict({"Days": d}).status for d in (5, 20, 40)] == ["fail", "fail", "pass"]
    assert [lenient({"Days": d}).status for d in (5, 20, 40)] == ["fail", "pass", "pass"]
    assert strict({"Days": 20}).reason == "Days = 20 (should be at least 30)"


def test_a_param_its_value_type_cannot_use_makes_every_result_an_error() -> None:
    raw = {"key": "Created", "op": "gt", "value": {"param": "days"}, "value_type": "age"}
    condition = compile_condition(raw, ("condition",), {"days": 30}, CHECKS)
    broken = condition.bind({"days": "thirty"})
    for config in ({"Created": "2020-01-01T00:00:00Z"}, {}):
        outcome = broken(config)
        assert outcome.status == "error"
        assert outcome.reason == "Created [age]: expected a number of days, got 'thirty'"
        assert outcome.evidence == {"Created": config.get("Created")}


def test_a_check_argument_param_is_validated_when_bound() -> None:
    raw = {"check": "security-group-open-ports", "ports": {"param": "ports"}}
    condition = compile_condition(raw, ("condition",), {"ports": [22]}, CHECKS)
    rule = {
        "IpProtocol": "tcp",
        "FromPort": 22,
        "ToPort": 22,
        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
    }
    assert condition.bind({"ports": [22]})({"IpPermissions": [rule]}).status == "fail"
    assert condition.bind({"ports": [80]})({"IpPermissions": [rule]}).status == "pass"
    bad = condition.bind({"ports": [70000]})({"IpPermissions": [rule]})
    assert bad.status == "error"
    assert bad.reason.startswith("check security-group-open-ports: bad argument ports: ")
