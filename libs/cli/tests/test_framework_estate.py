"""`pacbot scan --framework` on the seeded estate names exactly the requirements it breaks.

The estate (``pacbot.cli.estate``) declares, per resource, the policies it must fail; laid over a
framework's mappings (each policy's ``frameworks:``), that says which automated requirements must
fail and which resources must be listed under each (CIS 3.0 and 4.0 alike). The scan runs in a
fresh moto account of the dev stack's server, as ``test_estate_scan`` does.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from libs.cli.tests.test_estate_scan import _scan
from pacbot.cli.devstack import StackInfo
from pacbot.cli.estate import SWEEP_ERRORS, Account, Seeded, open_account, seed_estate
from pacbot.common.frameworks import shipped_catalogue

REGION = "eu-north-1"


def _mappings() -> dict[str, dict[str, list[str]]]:
    """framework id → enabled policy id → the controls it maps to."""
    from pacbot.assessor.policies.loader import load_policies
    from pacbot.assessor.settings import SHIPPED_PACKS

    found: dict[str, dict[str, list[str]]] = {}
    for policy in load_policies([SHIPPED_PACKS]).policies:
        if policy.document.enabled:
            for framework_id, controls in policy.document.frameworks.items():
                found.setdefault(framework_id, {})[policy.id] = list(controls)
    return found


MAPPINGS = _mappings()
FRAMEWORKS = ["cis-aws-3.0", "cis-aws-4.0"]


@pytest.fixture(scope="module")
def seeded(stack: StackInfo) -> tuple[Account, list[Seeded]]:
    account_id = str(random.randint(200_000_000_000, 999_999_999_999))
    account = open_account(stack.moto_url, account_id, REGION, f"f{account_id[-6:]}")
    return account, seed_estate(account)


def scan(account: Account, framework_id: str) -> dict[str, Any]:
    """``pacbot scan --framework`` of the account, as JSON."""
    return _scan(account, [], "--framework", framework_id).report


def expected(
    estate: list[Seeded], framework_id: str
) -> tuple[set[str], dict[str, set[tuple[str, str]]]]:
    """The automated requirements the estate must fail, and per requirement the (resource,
    policy) pairs that fail it."""
    manual = {
        c.id
        for f in shipped_catalogue().frameworks
        if f.id == framework_id
        for c in f.controls
        if not c.automated
    }
    mapped = MAPPINGS[framework_id]
    resources: dict[str, set[tuple[str, str]]] = {}
    for seeded in estate:
        if seeded.resource_type in SWEEP_ERRORS:
            continue  # moto cannot list these: the scan judges none of them
        for policy_id in seeded.expected_failures:
            for control in mapped.get(policy_id, ()):
                resources.setdefault(control, set()).add((seeded.resource_id, policy_id))
    return set(resources) - manual, resources


@pytest.mark.parametrize("framework_id", FRAMEWORKS)
def test_the_report_names_the_requirements_the_estate_breaks(
    seeded: tuple[Account, list[Seeded]], framework_id: str
) -> None:
    account, estate = seeded
    document = scan(account, framework_id)
    report = document["framework"]
    assert report["framework_id"] == framework_id
    assert {f["policy_id"] for f in document["findings"]} <= set(MAPPINGS[framework_id])
    failing = {c["control_id"]: c for c in report["items"] if c["status"] == "fail"}
    must_fail, resources = expected(estate, framework_id)
    assert set(failing) == must_fail
    assert len(must_fail) >= 5, "the estate breaks a good part of the benchmark"
    for control_id, control in failing.items():
        listed = {(r["asset_id"], r["policy_id"]) for r in control["failing_resources"]}
        assert listed == resources[control_id], control_id
    manual = [c for c in report["items"] if c["manual"]]
    assert manual, "the benchmark has manual requirements"
    assert {c["status"] for c in manual} == {"manual"}


WELL_KNOWN = {
    # console users without MFA, buckets without TLS-only / MFA delete / public access block,
    # unencrypted RDS, a trail that is not multi-region, admin ports open to the world
    "cis-aws-3.0": {"1.10", "2.1.1", "2.1.2", "2.1.4", "2.3.1", "3.1", "5.2"},
    # the same breaks under 4.0's numbering (RDS encryption moved to 2.2.1, EFS to 2.3.1)
    "cis-aws-4.0": {"1.10", "2.1.1", "2.1.4", "2.2.1", "2.3.1", "3.1", "5.2"},
}


@pytest.mark.parametrize("framework_id", sorted(WELL_KNOWN))
def test_cis_names_the_well_known_failures(
    seeded: tuple[Account, list[Seeded]], framework_id: str
) -> None:
    account, _ = seeded
    report = scan(account, framework_id)["framework"]
    failing = {c["control_id"] for c in report["items"] if c["status"] == "fail"}
    assert WELL_KNOWN[framework_id] <= failing
    assert report["manual"] == sum(1 for c in report["items"] if c["manual"]) > 0
