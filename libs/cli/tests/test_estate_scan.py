"""`pacbot scan` against the dev stack's moto finds exactly the misconfigurations seeded into it.

The estate lives in two fresh moto accounts (moto files every request under the account its
credentials belong to, so other tests' resources on the shared server never leak in) and in a
region no other test uses. The first account holds every resource type, hardened then broken on
purpose; the second holds only account-level singletons left at AWS's insecure defaults.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
from dataclasses import dataclass
from typing import Any

import pytest

from pacbot.cli import scan as scan_module
from pacbot.cli.devstack import StackInfo
from pacbot.cli.estate import (
    MOTO_GAPS,
    NOT_BROKEN,
    NOT_SEEDED,
    SINGLETON_TYPES,
    SWEEP_ERRORS,
    Account,
    Seeded,
    open_account,
    seed_estate,
    seed_lax,
)
from pacbot.cli.main import main
from pacbot.cli.scan import ScanResult, run_scan
from pacbot.inventory.connectors import CONNECTORS, documented_attributes

REGION = "eu-north-1"


@dataclass(frozen=True)
class Scanned:
    """One account's seeded resources and the scan's JSON report."""

    account: Account
    estate: list[Seeded]
    report: dict[str, Any]
    attributes: dict[str, set[str]]
    """The top-level config attributes the scan's descriptions carried, by resource type."""

    def failures(self, resource_type: str) -> set[tuple[str, str]]:
        """(resource id, policy id) of every failing finding of ``resource_type``."""
        return {
            (f["resource_id"], f["policy_id"])
            for f in self.report["findings"]
            if f["resource_type"] == resource_type and f["status"] == "fail"
        }

    def expected(self, resource_type: str) -> set[tuple[str, str]]:
        """(resource id, policy id) the estate declares must fail."""
        return {
            (s.resource_id, p)
            for s in self.estate
            if s.resource_type == resource_type
            for p in s.expected_failures
        }

    def resources(self, resource_type: str) -> tuple[set[str], set[str]]:
        """Resource ids the scan judged, and the ids the estate declares, for one type."""
        judged = {
            f["resource_id"] for f in self.report["findings"] if f["resource_type"] == resource_type
        }
        declared = {s.resource_id for s in self.estate if s.resource_type == resource_type}
        return judged, declared


def _account_id() -> str:
    """A random 12-digit account id that is not moto's default one."""
    return str(random.randint(200_000_000_000, 999_999_999_999))


def _scan(account: Account, estate: list[Seeded], *extra: str) -> Scanned:
    credentials = account.session.get_credentials()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_ACCESS_KEY_ID", credentials.access_key)
        mp.setenv("AWS_SECRET_ACCESS_KEY", credentials.secret_key)
        mp.setenv("AWS_SESSION_TOKEN", credentials.token)
        mp.setenv("AWS_DEFAULT_REGION", account.region)
        mp.delenv("AWS_PROFILE", raising=False)
        results: list[ScanResult] = []

        def recording(*args: Any, **kwargs: Any) -> ScanResult:
            results.append(run_scan(*args, **kwargs))
            return results[-1]

        mp.setattr(scan_module, "run_scan", recording)
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = main(
                ["scan", "--endpoint-url", account.endpoint_url, "--format", "json", *extra]
            )
    assert code == 0
    (result,) = results
    return Scanned(account, estate, json.loads(out.getvalue()), result.attributes)


@pytest.fixture(scope="module")
def estate(stack: StackInfo) -> Scanned:
    account_id = _account_id()
    account = open_account(stack.moto_url, account_id, REGION, f"e{account_id[-6:]}")
    return _scan(account, seed_estate(account))


@pytest.fixture(scope="module")
def lax(stack: StackInfo) -> Scanned:
    account_id = _account_id()
    account = open_account(stack.moto_url, account_id, REGION, f"l{account_id[-6:]}")
    return _scan(account, seed_lax(account), "--resources", ",".join(sorted(SINGLETON_TYPES)))


def _enabled_policies() -> dict[str, set[str]]:
    from pacbot.assessor.policies.loader import load_policies
    from pacbot.assessor.settings import SHIPPED_PACKS

    by_type: dict[str, set[str]] = {}
    for policy in load_policies([SHIPPED_PACKS]).policies:
        if policy.document.enabled:
            by_type.setdefault(policy.document.resource, set()).add(policy.id)
    return by_type


ENABLED = _enabled_policies()
SEEDED_TYPES = sorted(set(ENABLED) - set(NOT_SEEDED))


def test_the_scan_runs_in_the_fresh_account_and_region(estate: Scanned) -> None:
    assert estate.report["account_id"] == estate.account.account_id
    assert estate.report["regions"] == [REGION]
    errors = {(e["resource_type"], e["region"]) for e in estate.report["sweep_errors"]}
    assert errors == {(t, REGION) for t in SWEEP_ERRORS}, estate.report["sweep_errors"]
    assert [f for f in estate.report["findings"] if f["status"] == "error"] == []


@pytest.mark.parametrize("resource_type", SEEDED_TYPES)
def test_each_type_fails_exactly_the_seeded_misconfigurations(
    estate: Scanned, resource_type: str
) -> None:
    judged, declared = estate.resources(resource_type)
    if resource_type in SWEEP_ERRORS:
        assert judged == set(), "the sweep now works on moto: drop it from SWEEP_ERRORS"
        return
    assert judged == declared, "every resource of the type is declared, and every one is found"
    assert estate.failures(resource_type) == estate.expected(resource_type)


@pytest.mark.parametrize("resource_type", sorted(SINGLETON_TYPES))
def test_account_singletons_fail_at_aws_defaults(lax: Scanned, resource_type: str) -> None:
    judged, declared = lax.resources(resource_type)
    assert judged == declared
    assert lax.failures(resource_type) == lax.expected(resource_type)
    assert lax.report["sweep_errors"] == []


def test_every_enabled_policy_is_broken_on_purpose_somewhere_or_says_why_not(
    estate: Scanned, lax: Scanned
) -> None:
    broken = {p for s in estate.estate + lax.estate for p in s.breaks}
    enabled = {p for t in SEEDED_TYPES for p in ENABLED[t]}
    assert enabled - broken == set(NOT_BROKEN)
    assert all(NOT_BROKEN.values())


def test_every_hardened_resource_type_has_a_resource_that_passes_everything(
    estate: Scanned,
) -> None:
    clean = {s.resource_type for s in estate.estate if not s.expected_failures}
    gapped = {s.resource_type for s in estate.estate if s.expected_failures and not s.breaks}
    missing = set(SEEDED_TYPES) - set(SWEEP_ERRORS) - clean
    assert missing <= gapped, "only moto's gaps may keep a hardened resource from passing"


def test_moto_gaps_are_documented_and_used(estate: Scanned, lax: Scanned) -> None:
    used = {p for s in estate.estate + lax.estate for p in s.moto_gaps}
    assert used == set(MOTO_GAPS)
    assert all(reason.strip() for reason in MOTO_GAPS.values())
    assert all(reason.strip() for reason in NOT_SEEDED.values())


def test_descriptions_carry_only_the_attributes_their_connector_documents(
    estate: Scanned, lax: Scanned
) -> None:
    """What lint's unknown-key warning checks against is what moto's descriptions really hold."""
    undocumented = {}
    for scanned in (estate, lax):
        for resource_type, seen in scanned.attributes.items():
            known = documented_attributes(CONNECTORS.get(resource_type))
            assert known is not None, resource_type
            if seen - known:
                undocumented[resource_type] = sorted(seen - known)
    assert undocumented == {}
    described = set(estate.attributes) | set(lax.attributes)
    assert len(described) >= len(CONNECTORS.types()) - len(NOT_SEEDED) - len(SWEEP_ERRORS)
