"""The fix registry and the shipped policy pack agree: every autofix block names a fix that
answers it, and every fix answers policies that exist, of its resource type."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from pacbot.autofix.fixes import FIXES

PACK = Path(__file__).parents[2] / "assessor/src/pacbot/assessor/packs/aws"


def _pack() -> dict[str, dict[str, Any]]:
    policies = {}
    for path in sorted(PACK.glob("*.yaml")):
        document = yaml.safe_load(path.read_text())
        policies[document["id"]] = document
    return policies


POLICIES = _pack()


def test_the_registry_has_at_least_twenty_fixes() -> None:
    assert len(FIXES.names()) >= 20, FIXES.names()


@pytest.mark.parametrize(
    "policy",
    [p for p in POLICIES.values() if p.get("autofix")],
    ids=lambda p: p["id"],
)
def test_every_autofix_block_names_a_fix_that_answers_it(policy: dict[str, Any]) -> None:
    fix = FIXES.get(policy["autofix"]["action"])
    assert fix is not None, f"{policy['id']} names an unregistered fix"
    assert policy["id"] in fix.policies, f"{fix.name} does not list {policy['id']}"
    assert fix.resource_type == policy["resource"]


@pytest.mark.parametrize("fix", list(FIXES), ids=lambda f: f.name)
def test_every_fix_answers_existing_policies_of_its_type(fix: Any) -> None:
    for policy_id in fix.policies:
        assert policy_id in POLICIES, f"{fix.name} answers unknown policy {policy_id}"
        assert POLICIES[policy_id]["resource"] == fix.resource_type, policy_id
