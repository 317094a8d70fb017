"""Compliance math and the summary endpoint, including nothing evaluated."""

from __future__ import annotations

from typing import Any

import pytest

from pacbot.violations.compliance.repository import PolicyCounts
from pacbot.violations.compliance.service import compliance_pct, overall_pct


def counts(severity: str, passing: int, failing: int) -> PolicyCounts:
    return PolicyCounts(f"p-{severity}", "n", severity, "security", passing, failing)


@pytest.mark.parametrize(
    ("passing", "evaluated", "pct"), [(0, 0, None), (1, 3, 33.33), (2, 3, 66.67), (3, 3, 100.0)]
)
def test_compliance_pct(passing: int, evaluated: int, pct: float | None) -> None:
    assert compliance_pct(passing, evaluated) == pct


def test_overall_is_severity_weighted_over_evaluated_policies() -> None:
    policies = [counts("critical", 1, 1), counts("low", 1, 0), counts("high", 0, 0)]
    assert overall_pct(policies) == round((10 * 50 + 1 * 100) / 11, 2)
    assert overall_pct([counts("medium", 0, 0)]) is None
    assert overall_pct([]) is None


async def test_summary_with_nothing_evaluated(client: Any) -> None:
    body = (await client.get("/compliance/summary")).json()
    assert body == {
        "overall_pct": None,
        "evaluated_assets": 0,
        "open": 0,
        "exempted": 0,
        "closed": 0,
        "policies": [],
    }


async def test_summary_counts_live_results_and_violations(kit: Any, client: Any) -> None:
    other = kit.asset("arn:aws:s3:::other", account_id="222222222222")
    third = kit.asset("arn:aws:s3:::third")
    await kit.publish(
        kit.evaluated(1, 0, public="fail", encryption="pass"),
        kit.evaluated(1, 0, other, public="pass", encryption="pass"),
        kit.evaluated(1, 0, third, public="error", encryption="fail"),
    )
    body = (await client.get("/compliance/summary")).json()
    by_id = {p["policy_id"]: p for p in body["policies"]}
    assert by_id[kit.public] | {"name": None} == {
        "policy_id": kit.public,
        "name": None,
        "severity": "critical",
        "category": "security",
        "evaluated": 2,
        "passing": 1,
        "failing": 1,
        "compliance_pct": 50.0,
    }
    assert (by_id[kit.encryption]["evaluated"], by_id[kit.encryption]["compliance_pct"]) == (
        3,
        66.67,
    )
    assert body["overall_pct"] == round((10 * 50 + 5 * 66.67) / 15, 2)
    assert (body["evaluated_assets"], body["open"], body["exempted"], body["closed"]) == (
        3,
        2,
        0,
        0,
    )
    scoped = (await client.get("/compliance/summary", params={"account_id": "222222222222"})).json()
    assert scoped["overall_pct"] == 100.0
    assert (scoped["evaluated_assets"], scoped["open"]) == (1, 0)


async def test_policy_with_only_errors_has_null_pct(kit: Any, client: Any) -> None:
    await kit.publish(kit.evaluated(1, 0, public="error"))
    body = (await client.get("/compliance/summary")).json()
    [policy] = body["policies"]
    assert (policy["evaluated"], policy["compliance_pct"]) == (0, None)
    assert body["overall_pct"] is None
