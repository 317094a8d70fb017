"""Every shipped policy's own examples evaluate the way they are labelled."""

from __future__ import annotations

import pytest

from pacbot.assessor.policies.compiled import CompiledPolicy
from pacbot.assessor.policies.loader import load_policies
from pacbot.assessor.settings import SHIPPED_PACKS

PACK = load_policies([SHIPPED_PACKS]).policies


@pytest.mark.parametrize("policy", PACK, ids=lambda p: p.id)
def test_examples_agree_with_their_labels(policy: CompiledPolicy) -> None:
    examples = policy.document.examples
    assert examples.passing, "every policy needs a passing example"
    assert examples.failing, "every policy needs a failing example"
    assert policy.example_mismatches() == []


def test_example_mismatch_is_reported() -> None:
    policy = next(p for p in PACK if p.id == "aws-s3-bucket-default-encryption")
    swapped = policy.document.model_copy(
        update={
            "examples": policy.document.examples.model_copy(
                update={"passing": policy.document.examples.failing[:1]}
            )
        }
    )
    broken = CompiledPolicy(document=swapped, condition=policy.condition, source=policy.source)
    assert broken.example_mismatches()[0].startswith(
        "aws-s3-bucket-default-encryption example 0 expected pass, got fail"
    )


def test_public_access_policy_metadata() -> None:
    policy = next(p for p in PACK if p.id == "aws-s3-bucket-public-access")
    ref = policy.ref()
    assert (ref.severity, ref.category) == ("critical", "security")
    assert ref.autofix is not None
    assert (ref.autofix.action, ref.autofix.grace_seconds) == ("s3-block-public-access", 86400.0)
    frameworks = policy.document.frameworks
    assert (frameworks["cis-aws-3.0"], frameworks["cis-aws-4.0"]) == (["2.1.4"], ["2.1.4"])
    assert {"S3.1", "S3.8"} <= set(frameworks["aws-fsbp"])
    assert policy.ref(grace_override=2).autofix.grace_seconds == 2  # type: ignore[union-attr]


def test_pack_files_ship_inside_the_package() -> None:
    assert SHIPPED_PACKS.is_relative_to(SHIPPED_PACKS.parent)
    names = {p.name for p in (SHIPPED_PACKS / "aws").glob("*.yaml")}
    assert {"s3-bucket-default-encryption.yaml", "s3-bucket-public-access.yaml"} <= names


def test_the_aws_pack_is_complete_and_every_policy_is_self_tested() -> None:
    from pacbot.assessor.policies.loader import load_policies

    report = load_policies([SHIPPED_PACKS])
    assert report.errors == []
    policies = report.policies
    assert len(policies) >= 100
    assert {p.document.category for p in policies} == {
        "security",
        "governance",
        "cost",
        "tagging",
        "operations",
    }
    for policy in policies:
        doc = policy.document
        assert doc.examples.passing, f"{doc.id} has no passing example"
        assert doc.examples.failing, f"{doc.id} has no failing example"
        assert doc.remediation.text.strip(), f"{doc.id} has no remediation"
        assert policy.example_mismatches() == []
    cis = {c for p in policies for c in p.document.frameworks.get("cis-aws-3.0", [])}
    automatable = {
        "1.4",
        "1.5",
        "1.6",
        "1.7",
        "1.8",
        "1.9",
        "1.10",
        "1.11",
        "1.12",
        "1.13",
        "1.14",
        "1.15",
        "1.16",
        "1.17",
        "1.18",
        "1.19",
        "1.20",
        "1.22",
        "2.1.1",
        "2.1.2",
        "2.1.4",
        "2.2.1",
        "2.3.1",
        "2.3.2",
        "2.3.3",
        "2.4.1",
        "3.1",
        "3.2",
        "3.3",
        "3.4",
        "3.5",
        "3.6",
        "3.7",
        "3.8",
        "3.9",
        *(f"4.{n}" for n in range(1, 17)),
        "5.1",
        "5.2",
        "5.3",
        "5.4",
        "5.6",
    }
    assert automatable <= cis, f"missing CIS controls: {sorted(automatable - cis)}"
