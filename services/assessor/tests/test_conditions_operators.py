"""Every operator and value type, table-driven, after Custodian's value filter semantics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pacbot.assessor.conditions import CHECKS, Outcome, compile_condition


def verdict(raw: dict[str, Any], config: dict[str, Any], **params: Any) -> Outcome:
    return compile_condition(raw, ("condition",), params, CHECKS).evaluate(config, params)


class Ago(str):
    """A timestamp ``days`` before collection; its test id names the days, not the instant, so
    every collection (each pytest-xdist worker's) gives the same ids."""

    days: float


def ago(days: float) -> str:
    stamp = Ago((datetime.now(UTC) - timedelta(days=days)).isoformat().replace("+00:00", "Z"))
    stamp.days = days
    return stamp


def stable_id(value: object) -> str | None:
    """``Nd-ago`` for a relative timestamp; pytest's own id for anything else."""
    return f"{value.days:g}d-ago" if isinstance(value, Ago) else None


@pytest.mark.parametrize(
    ("op", "value", "actual", "status"),
    [
        ("eq", "a", "a", "pass"),
        ("equal", "a", "b", "fail"),
        ("ne", 1, None, "pass"),
        ("not-equal", 1, 1, "fail"),
        ("gt", 1, 2, "pass"),
        ("greater-than", 1, None, "fail"),
        ("ge", 2, 2, "pass"),
        ("gte", 2, 1, "fail"),
        ("lt", 2, 1, "pass"),
        ("less-than", 2, "x", "error"),
        ("le", 2, 2, "pass"),
        ("lte", 2, 3, "fail"),
        ("in", [1, 2], 2, "pass"),
        ("in", [1, 2], None, "fail"),
        ("in", [1, 2], [1], "fail"),
        ("in", [[1]], [1], "pass"),
        ("in", ["a"], {"x": 1}, "fail"),
        ("not-in", [1, 2], 3, "pass"),
        ("ni", [1, 2], 1, "fail"),
        ("contains", "b", ["a", "b"], "pass"),
        ("contains", "Owner", {"Owner": "x"}, "pass"),
        ("contains", "ell", "hello", "pass"),
        ("contains", 1, "hello", "fail"),
        ("contains", "z", 5, "fail"),
        ("intersect", ["a", "z"], ["a", "b"], "pass"),
        ("intersect", ["z"], ["a", "b"], "fail"),
        ("intersect", ["a"], None, "fail"),
        ("intersect", ["a"], "a", "pass"),
        ("intersect", [{"k": 1}], [{"k": 1}], "pass"),
        ("intersect", ["a"], 5, "fail"),
        ("difference", ["a", "b"], ["a", "c"], "pass"),
        ("difference", ["a", "b"], ["a"], "fail"),
        ("difference", ["a"], None, "fail"),
        ("difference", ["a"], {"x": 1}, "pass"),
        ("regex", "^prod-", "PROD-db", "pass"),
        ("regex", "^prod-", "dev-db", "fail"),
        ("regex", "^prod-", None, "fail"),
        ("regex-case", "^prod-", "PROD-db", "fail"),
        ("regex-case", "^prod-", "prod-db", "pass"),
        ("glob", "prod-*", "prod-db", "pass"),
        ("glob", "prod-*", "Prod-db", "fail"),
        ("glob", "prod-*", 3, "fail"),
    ],
)
def test_binary_operators(op: str, value: Any, actual: Any, status: str) -> None:
    outcome = verdict({"key": "V", "op": op, "value": value}, {"V": actual})
    assert outcome.status == status, outcome.reason
    assert outcome.evidence == {"V": actual}


def test_intersect_on_a_non_collection_is_an_error() -> None:
    assert verdict({"key": "V", "op": "intersect", "value": [1]}, {"V": {1}}).status == "pass"
    assert verdict({"key": "V", "op": "intersect", "value": ["a"]}, {"V": object()}).status == (
        "error"
    )


@pytest.mark.parametrize(
    ("op", "actual", "status"),
    [
        ("absent", None, "pass"),
        ("absent", "", "fail"),
        ("present", 0, "pass"),
        ("present", None, "fail"),
        ("empty", "", "pass"),
        ("empty", [1], "fail"),
        ("not-empty", {"a": 1}, "pass"),
        ("not-empty", None, "fail"),
        ("not-null", "x", "pass"),
        ("not-null", None, "fail"),
        ("not-null", False, "fail"),
        ("not-null", 0, "fail"),
    ],
)
def test_unary_operators(op: str, actual: Any, status: str) -> None:
    assert verdict({"key": "V", "op": op}, {"V": actual}).status == status


def test_missing_key_behaves_like_none() -> None:
    assert verdict({"key": "A.B", "op": "not-null"}, {}).status == "fail"
    assert verdict({"key": "A.B", "op": "eq", "value": 1}, {}).status == "fail"
    assert verdict({"key": "A.B", "op": "ne", "value": 1}, {}).status == "pass"


@pytest.mark.parametrize(
    ("value_type", "op", "value", "actual", "status"),
    [
        # age: days since the timestamp; gt 90 = older than 90 days
        ("age", "gt", 90, ago(120), "pass"),
        ("age", "gt", 90, ago(10), "fail"),
        ("age", "lt", 90, ago(10), "pass"),
        ("age", "lt", 90, None, "fail"),
        ("age", "gt", 90, "not a date", "error"),
        ("age", "gt", 1, 1_600_000_000, "pass"),  # epoch seconds
        ("age", "gt", 1, 1_600_000_000_000, "pass"),  # epoch milliseconds
        # expiration: days until the timestamp; lt 30 = expires within 30 days
        ("expiration", "lt", 30, ago(-10), "pass"),
        ("expiration", "lt", 30, ago(-60), "fail"),
        ("expiration", "lt", 30, ago(5), "pass"),  # already expired
        ("expiration", "gt", 30, None, "fail"),
        # date: instants compared
        ("date", "lt", "2024-01-01T00:00:00Z", "2023-06-01T00:00:00+00:00", "pass"),
        ("date", "gt", "2024-01-01", "2023-06-01T00:00:00Z", "fail"),
        ("date", "gt", "2024-01-01", None, "fail"),
        ("date", "gt", "2024-01-01", [1], "error"),
        # integer / float
        ("integer", "ge", 3, "5", "pass"),
        ("integer", "ge", 3, " 2 ", "fail"),
        ("integer", "in", ["1", 2], "2", "pass"),
        ("integer", "eq", 3, "three", "error"),
        ("integer", "eq", 3, None, "fail"),
        ("float", "gt", 1.5, "1.75", "pass"),
        ("float", "gt", 1.5, 1, "fail"),
        ("float", "gt", 1.5, "x", "error"),
        # size / unique_size
        ("size", "eq", 2, ["a", "b"], "pass"),
        ("size", "gt", 0, [], "fail"),
        ("size", "eq", 0, None, "pass"),
        ("size", "eq", 3, "abc", "pass"),
        ("size", "eq", 1, {"k": "v"}, "pass"),
        ("size", "eq", 1, 7, "error"),
        ("unique_size", "eq", 2, ["a", "a", "b"], "pass"),
        ("unique_size", "eq", 1, [{"a": 1}, {"a": 1}], "pass"),
        ("unique_size", "eq", 3, ["a", "a", "b"], "fail"),
        ("unique_size", "eq", 1, "ab", "error"),
        # normalize
        ("normalize", "eq", "Enabled ", " ENABLED", "pass"),
        ("normalize", "in", ["Active"], "ACTIVE", "pass"),
        ("normalize", "regex", "^Prod-\\d", "PROD-1", "pass"),
        ("normalize", "eq", "x", None, "fail"),
        # swap: the value is compared against the key
        ("swap", "in", "0.0.0.0/0", ["10.0.0.0/8", "0.0.0.0/0"], "pass"),
        ("swap", "in", "0.0.0.0/0", ["10.0.0.0/8"], "fail"),
        ("swap", "gt", 5, 3, "pass"),
        ("swap", "in", "x", None, "error"),
        # cidr: in = subnet of one of the networks
        ("cidr", "in", ["10.0.0.0/8"], "10.1.0.0/16", "pass"),
        ("cidr", "in", "10.0.0.0/8", "10.1.2.3", "pass"),
        ("cidr", "in", ["10.0.0.0/8", "::/0"], "0.0.0.0/0", "fail"),
        ("cidr", "in", ["10.0.0.0/8"], "2001:db8::/32", "fail"),
        ("cidr", "not-in", ["10.0.0.0/8", "172.16.0.0/12"], "0.0.0.0/0", "pass"),
        ("cidr", "eq", "0.0.0.0/0", "0.0.0.0/0", "pass"),
        ("cidr", "ne", "0.0.0.0/0", "10.0.0.0/8", "pass"),
        ("cidr", "contains", "10.1.0.0/16", "10.0.0.0/8", "pass"),
        ("cidr", "contains", "10.1.0.0/16", "192.168.0.0/16", "fail"),
        ("cidr", "in", ["10.0.0.0/8"], None, "fail"),
        ("cidr", "in", ["10.0.0.0/8"], "not-a-cidr", "error"),
    ],
    ids=stable_id,
)
def test_value_types(value_type: str, op: str, value: Any, actual: Any, status: str) -> None:
    raw = {"key": "V", "op": op, "value": value, "value_type": value_type}
    outcome = verdict(raw, {"V": actual})
    assert outcome.status == status, outcome.reason
    assert outcome.evidence["V"] == actual
    assert value_type in outcome.reason


def test_age_reason_and_evidence_show_the_days() -> None:
    outcome = verdict(
        {"key": "CreateDate", "op": "lt", "value": 90, "value_type": "age"},
        {"CreateDate": ago(100)},
    )
    assert outcome.status == "fail"
    assert "100.0 days ago" in outcome.reason
    assert "should be less than 90 days [age]" in outcome.reason
    assert 99.9 < outcome.evidence["CreateDate (age)"] < 100.1


def test_value_type_value_may_be_a_param() -> None:
    raw = {"key": "CreateDate", "op": "gt", "value": {"param": "days"}, "value_type": "age"}
    assert verdict(raw, {"CreateDate": ago(10)}, days=5).status == "pass"
    assert verdict(raw, {"CreateDate": ago(10)}, days=50).status == "fail"
    condition = compile_condition(raw, ("condition",), {"days": 5}, CHECKS)
    assert condition.evaluate({"CreateDate": ago(10)}, {"days": "soon"}).status == "error"


@pytest.mark.parametrize(
    ("tags", "status"),
    [
        ({"Name": "web-1", "Owner": "x"}, "pass"),
        ({"Name": "db-1"}, "fail"),
        ([{"Key": "Name", "Value": "web-2"}], "pass"),
        ({}, "fail"),
        (None, "fail"),
    ],
)
def test_tag_keys_read_the_flattened_tags(tags: Any, status: str) -> None:
    outcome = verdict({"key": "tag:Name", "op": "glob", "value": "web-*"}, {"Tags": tags})
    assert outcome.status == status


def test_tag_presence() -> None:
    raw = {"key": "tag:cost-center", "op": "present"}
    assert verdict(raw, {"Tags": {"cost-center": "42"}}).status == "pass"
    assert verdict(raw, {"Tags": {"Owner": "me"}}).status == "fail"


@pytest.mark.parametrize(
    ("op", "value", "actual", "status", "reason"),
    [
        # the key stays the subject, so an asymmetric operator reads in its converse form
        (
            "difference",
            ["Owner", "Env"],
            ["Owner"],
            "pass",
            "should lack an element of ['Owner', 'Env']",
        ),
        ("difference", ["Owner"], ["Owner", "Env"], "fail", "should lack an element of ['Owner']"),
        ("in", "0.0.0.0/0", ["0.0.0.0/0"], "pass", "should contain '0.0.0.0/0'"),
        ("in", "0.0.0.0/0", ["10.0.0.0/8"], "fail", "should contain '0.0.0.0/0'"),
        ("not-in", "x", ["x", "y"], "fail", "should not contain 'x'"),
        ("contains", ["a", "b"], "b", "pass", "should be contained in ['a', 'b']"),
        ("contains", "abc", "z", "fail", "should be contained in 'abc'"),
        ("intersect", ["a"], ["b", "a"], "pass", "should share an element with ['a']"),
        ("gt", 5, 3, "pass", "should be less than 5"),
        ("ge", 5, 5, "pass", "should be at most 5"),
        ("lt", 5, 3, "fail", "should be greater than 5"),
        ("le", 5, 7, "pass", "should be at least 5"),
        ("eq", 1, 1, "pass", "should equal 1"),
        ("regex", "prod-1", "^prod-", "pass", "should be a regex matching 'prod-1'"),
        ("glob", "web-1", "db-*", "fail", "should be a glob matching 'web-1'"),
    ],
)
def test_swap_reasons_keep_the_key_as_subject(
    op: str, value: Any, actual: Any, status: str, reason: str
) -> None:
    outcome = verdict({"key": "K", "op": op, "value": value, "value_type": "swap"}, {"K": actual})
    assert outcome.status == status
    assert outcome.reason == f"K = {actual!r} ({reason} [swap])"
    assert outcome.evidence == {"K": actual}


@pytest.mark.parametrize(
    ("op", "value", "actual", "reason"),
    [
        ("in", "x", None, "K [swap]: cannot look for str in the key"),
        ("not-in", "x", 3, "K [swap]: cannot look for str in the key"),
        ("intersect", ["a"], None, "K [swap]: key is a NoneType, not a list"),
        ("difference", ["a"], None, "K [swap]: key is a NoneType, not a list"),
    ],
)
def test_swap_errors_name_the_sides_the_right_way_round(
    op: str, value: Any, actual: Any, reason: str
) -> None:
    raw = {"key": "K", "op": op, "value": value, "value_type": "swap"}
    outcome = verdict(raw, {"K": actual})
    assert outcome.status == "error"
    assert outcome.reason == reason


def test_missing_tags_read_as_missing_under_not_difference_swap() -> None:
    raw = {
        "not": {
            "key": "keys(Tags || `{}`)",
            "op": "difference",
            "value": ["Owner", "Environment"],
            "value_type": "swap",
        }
    }
    missing = verdict(raw, {"Tags": {"Owner": "me"}})
    assert missing.status == "fail"
    assert missing.reason == (
        "must not hold: keys(Tags || `{}`) = ['Owner'] "
        "(should lack an element of ['Owner', 'Environment'] [swap])"
    )
    complete = verdict(raw, {"Tags": {"Owner": "me", "Environment": "prod"}})
    assert complete.status == "pass"
    assert complete.reason == (
        "does not hold, as required: keys(Tags || `{}`) = ['Owner', 'Environment'] "
        "(should lack an element of ['Owner', 'Environment'] [swap])"
    )
