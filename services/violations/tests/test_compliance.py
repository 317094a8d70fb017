"""Compliance math and the summary endpoint: a worked example, exemptions, nothing evaluated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pacbot.violations.compliance.service import compliance_pct, weighted_mean
from services.violations.tests.test_api_rows import insert, result, running_on, violation
from services.violations.tests.test_compliance_scopes import inventory_double


@pytest.mark.parametrize(
    ("passing", "evaluated", "pct"),
    [(0, 0, None), (1, 3, 1 / 3 * 100), (2, 3, 2 / 3 * 100), (3, 3, 100.0), (0, 2, 0.0)],
)
def test_compliance_pct_is_an_unrounded_float(
    passing: int, evaluated: int, pct: float | None
) -> None:
    assert compliance_pct(passing, evaluated) == pct


def test_weighted_mean_never_divides_by_zero() -> None:
    assert weighted_mean([]) is None
    assert weighted_mean([(0.0, 50.0), (3.0, None)]) is None
    assert weighted_mean([(1.0, 50.0), (3.0, 100.0), (0.0, 0.0)]) == 87.5


# The worked example. Per policy (pass/fail on live assets; error and n/a left out):
#   p1 security critical 3/4 = 75 %      p2 security low   1/2 = 50 %
#   p3 governance high   2/2 = 100 %     p4 cost medium    0/2 = 0 %
#   p5 tagging low       errors only: no figure            p6 operations high 1/4 = 25 %
# Categories (severity weights 10/5/3/1):
#   security = (10*75 + 1*50) / 11 = 800/11;  governance 100;  cost 0;  tagging none;  ops 25
# Overall (category weights 50/20/20/10/10, tagging left out for having no figure):
#   (50*800/11 + 20*100 + 20*0 + 10*25) / (50+20+20+10) = 64750/1100 = 58.8636...
# With exempted failures counted as passing (p1's failure on a4 is exempted): p1 = 100 %,
#   security = 1050/11, overall = (50*1050/11 + 2250) / 100 = 77250/1100 = 70.2272...
EXAMPLE = [
    *(result(f"a{i}", "p1", "pass", severity="critical") for i in (1, 2, 3)),
    result("a4", "p1", "fail", severity="critical"),
    result("a1", "p2", "pass", severity="low"),
    result("a2", "p2", "fail", severity="low"),
    *(result(f"a{i}", "p3", "pass", category="governance") for i in (1, 2)),
    result("a3", "p3", "error", category="governance"),
    result("a4", "p3", "not_applicable", category="governance"),
    *(result(f"a{i}", "p4", "fail", severity="medium", category="cost") for i in (1, 2)),
    result("a3", "p4", "pass", severity="medium", category="cost", deleted=True),
    result("a5", "p5", "error", severity="low", category="tagging"),
    result("a1", "p6", "pass", category="operations"),
    *(result(f"a{i}", "p6", "fail", category="operations") for i in (2, 3, 4)),
]
EXEMPTED = violation("v-x", asset_id="a4", policy_id="p1", status="exempted", exception_id="e1")


@pytest.fixture(params=["sqlite", "postgres"])
async def example(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    transports = {"inventory": inventory_double()}
    async with running_on(request.param, tmp_path, request, transports=transports) as (app, c):
        await insert(app, *EXAMPLE, EXEMPTED)
        yield c


async def test_worked_example(example: Any) -> None:
    body = (await example.get("/compliance/summary")).json()
    assert body["overall_pct"] == pytest.approx(64750 / 1100)
    categories = {c["category"]: c for c in body["categories"]}
    assert categories["security"]["compliance_pct"] == pytest.approx(800 / 11)
    assert categories["governance"]["compliance_pct"] == 100.0
    assert categories["cost"]["compliance_pct"] == 0.0
    assert categories["tagging"]["compliance_pct"] is None
    assert categories["operations"]["compliance_pct"] == 25.0
    assert categories["security"]["weight"] == 50.0
    policies = {p["policy_id"]: p for p in body["policies"]}
    assert {k: policies["p1"][k] for k in ("evaluated", "passing", "failing", "exempted")} == {
        "evaluated": 4,
        "passing": 3,
        "failing": 1,
        "exempted": 1,
    }
    assert (policies["p3"]["unknown"], policies["p3"]["not_applicable"]) == (1, 1)
    assert policies["p3"]["evaluated"] == 2
    assert policies["p4"]["evaluated"] == 2  # the deleted asset's pass is left out
    assert (policies["p5"]["evaluated"], policies["p5"]["compliance_pct"]) == (0, None)
    assert (body["unknown"], body["unknown_assets"]) == (2, 2)
    assert body["evaluated_assets"] == 4  # a1..a4; a5 only errored
    assert (body["exempted"], body["exempted_as_passing"]) == (1, False)
    assert body["weights"]["severity"] == {"critical": 10, "high": 5, "medium": 3, "low": 1}


async def test_exempted_failures_can_count_as_passing(example: Any) -> None:
    body = (await example.get("/compliance/summary", params={"exempted_as_passing": "true"})).json()
    assert body["overall_pct"] == pytest.approx(77250 / 1100)
    p1 = next(p for p in body["policies"] if p["policy_id"] == "p1")
    assert (p1["passing"], p1["failing"], p1["exempted"], p1["compliance_pct"]) == (4, 0, 1, 100)


async def test_group_counting_agrees_with_the_database_counting(example: Any) -> None:
    """A group admitting every asset streams rows through the group rule: same figures."""
    for flag in ("false", "true"):
        plain = await example.get("/compliance/summary", params={"exempted_as_passing": flag})
        grouped = await example.get(
            "/compliance/summary", params={"exempted_as_passing": flag, "group": "first-account"}
        )
        assert grouped.json() | {"scope": "all"} == plain.json()


async def test_weights_come_from_settings(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    weights = {"category_weights": {"security": 0, "cost": 100}, "severity_weights": {"low": 10}}
    async with running_on("sqlite", tmp_path, request, **weights) as (app, client):
        await insert(app, *EXAMPLE)
        body = (await client.get("/compliance/summary")).json()
    # security no longer counts: (20*100 + 100*0 + 10*25) / (20 + 100 + 10) = 2250/130
    assert body["overall_pct"] == pytest.approx(2250 / 130)
    assert body["weights"]["category"]["governance"] == 20  # unnamed entries keep the default
    security = next(c for c in body["categories"] if c["category"] == "security")
    assert security["compliance_pct"] == pytest.approx((10 * 75 + 10 * 50) / 20)


def test_weights_can_be_set_through_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from pacbot.violations.settings import ViolationsSettings

    monkeypatch.setenv("PACBOT_VIOLATIONS_CATEGORY_WEIGHTS", '{"operations": 0}')
    monkeypatch.setenv("PACBOT_VIOLATIONS_SEVERITY_WEIGHTS", '{"critical": 20}')
    settings = ViolationsSettings()
    assert settings.category_weights["operations"] == 0
    assert settings.category_weights["security"] == 50
    assert settings.severity_weights == {"critical": 20, "high": 5, "medium": 3, "low": 1}


def test_bad_weights_are_rejected() -> None:
    from pacbot.violations.settings import ViolationsSettings

    with pytest.raises(ValueError, match="unknown category"):
        ViolationsSettings(category_weights={"fun": 1})
    with pytest.raises(ValueError, match="must not be negative"):
        ViolationsSettings(severity_weights={"high": -1})


async def test_summary_with_nothing_evaluated(kit: Any, client: Any) -> None:
    body = (await client.get("/compliance/summary")).json()
    assert body["overall_pct"] is None
    assert (body["evaluated_assets"], body["open"], body["unknown"]) == (0, 0, 0)
    assert (body["policies"], body["categories"], body["scope"]) == ([], [], "all")


async def test_summary_through_the_event_path(kit: Any, client: Any) -> None:
    other = kit.asset("arn:aws:s3:::other", account_id="222222222222")
    third = kit.asset("arn:aws:s3:::third")
    await kit.publish(
        kit.evaluated(1, 0, public="fail", encryption="pass"),
        kit.evaluated(1, 0, other, public="pass", encryption="pass"),
        kit.evaluated(1, 0, third, public="error", encryption="fail"),
    )
    body = (await client.get("/compliance/summary")).json()
    by_id = {p["policy_id"]: p for p in body["policies"]}
    assert (by_id[kit.public]["evaluated"], by_id[kit.public]["compliance_pct"]) == (2, 50.0)
    assert by_id[kit.public]["unknown"] == 1
    assert by_id[kit.encryption]["compliance_pct"] == pytest.approx(200 / 3)
    # both are security policies: critical (10) and high (5)
    assert body["overall_pct"] == pytest.approx((10 * 50 + 5 * 200 / 3) / 15)
    assert (body["evaluated_assets"], body["open"], body["exempted"]) == (3, 2, 0)
    scoped = (await client.get("/compliance/summary", params={"account_id": "222222222222"})).json()
    assert (scoped["overall_pct"], scoped["evaluated_assets"], scoped["open"]) == (100.0, 1, 0)
    assert scoped["scope"] == "account:222222222222"


async def test_policy_with_only_errors_has_no_figure(kit: Any, client: Any) -> None:
    await kit.publish(kit.evaluated(1, 0, public="error"))
    body = (await client.get("/compliance/summary")).json()
    [policy] = body["policies"]
    assert (policy["evaluated"], policy["unknown"], policy["compliance_pct"]) == (0, 1, None)
    assert body["overall_pct"] is None
