"""A breakdown's headline figures are the summary's, computed without a model per policy."""

from __future__ import annotations

import random

import pytest

from pacbot.violations.compliance.schemas import Weights
from pacbot.violations.compliance.service import headline, summarise
from pacbot.violations.compliance.tally import Tally

WEIGHTS = Weights(
    severity={"critical": 10, "high": 5, "medium": 2, "low": 1},
    category={"security": 3, "governance": 1, "cost": 1, "tagging": 0.5, "operations": 0},
)


def random_tally(rng: random.Random) -> Tally:
    tally = Tally()
    for n in range(rng.randint(0, 40)):
        policy = tally.policy(
            f"p-{rng.randint(0, 10**6)}-{n}",
            "a policy",
            rng.choice(["critical", "high", "medium", "low", "unknown-severity"]),
            rng.choice(["security", "governance", "cost", "tagging", "operations", "other"]),
        )
        policy.passing = rng.choice([0, rng.randint(0, 500)])
        policy.failing = rng.choice([0, rng.randint(0, 500)])
        policy.exempted = rng.randint(0, policy.failing)
        policy.unknown = rng.randint(0, 5)
    return tally


@pytest.mark.parametrize("seed", range(60))
@pytest.mark.parametrize("exempted_as_passing", [False, True])
def test_headline_equals_the_summary(seed: int, exempted_as_passing: bool) -> None:
    tally = random_tally(random.Random(seed))
    summary = summarise(tally, WEIGHTS, scope="all", exempted_as_passing=exempted_as_passing)
    figures = headline(tally, WEIGHTS, exempted_as_passing=exempted_as_passing)
    assert figures.overall_pct == summary.overall_pct
    assert figures.passing == sum(p.passing for p in summary.policies)
    assert figures.failing == sum(p.failing for p in summary.policies)
