"""Meta-tests over the shipped pack and the framework catalogue: every mapping names a real control,
every policy maps somewhere or says why not, and every requirement a configuration check can judge
has a policy."""

from __future__ import annotations

import pytest

from pacbot.assessor.frameworks.mappings import load_pack
from pacbot.assessor.policies.compiled import CompiledPolicy
from pacbot.assessor.policies.loader import PolicyError, load_text
from pacbot.assessor.settings import SHIPPED_PACKS
from pacbot.common.frameworks import shipped_catalogue

CATALOGUE = shipped_catalogue()
PACK = load_pack([SHIPPED_PACKS], CATALOGUE).policies
GENERAL = ("cis-aws-4.0", "nist-800-53-r5", "pci-dss-4.0", "soc2", "iso-27001-2022")
"""Frameworks whose automated requirements were chosen as the ones a configuration check can
judge, so each must have a policy (FSBP lists controls for services PacBot does not collect)."""

DRAFT = """\
id: demo-cost
version: 1
name: Demo
description: A cost check.
resource: aws.ec2.volume
severity: low
category: cost
{mapping}
remediation:
  text: Delete it.
condition: {{key: State, op: eq, value: in-use}}
"""


def test_the_catalogue_holds_at_least_the_seven_frameworks_of_issue_14() -> None:
    ids = {f.id for f in CATALOGUE.frameworks}
    assert ids >= {"aws-fsbp", "cis-aws-3.0", *GENERAL}


@pytest.mark.parametrize("policy", PACK, ids=lambda p: p.id)
def test_every_shipped_policy_maps_to_a_framework_or_says_why_not(
    policy: CompiledPolicy,
) -> None:
    document = policy.document
    assert document.frameworks or document.no_framework_reason, (
        f"{policy.source}: map it to a framework control or give a no_framework_reason"
    )
    assert all(document.frameworks.values()), f"{policy.source}: a framework with no controls"
    assert CATALOGUE.mapping_problems(document.frameworks) == []


def test_the_pack_maps_every_framework() -> None:
    mapped = {framework for p in PACK for framework in p.document.frameworks}
    assert mapped == {f.id for f in CATALOGUE.frameworks}
    reasons = [p.id for p in PACK if p.document.no_framework_reason]
    assert 0 < len(reasons) < len(PACK) // 10, "a reason is the exception, not the rule"


@pytest.mark.parametrize("framework_id", GENERAL)
def test_every_automated_requirement_has_a_policy(framework_id: str) -> None:
    framework = CATALOGUE.get(framework_id)
    assert framework is not None
    mapped = {c for p in PACK for c in p.document.frameworks.get(framework_id, [])}
    unmapped = [c.id for c in framework.controls if c.automated and c.id not in mapped]
    assert unmapped == [], "mark it manual if no configuration check can judge it"


def test_cis_3_mappings_carry_over_to_cis_4() -> None:
    """A policy evidencing a CIS 3.0 recommendation evidences its renumbered 4.0 successor."""
    missing = [
        p.id
        for p in PACK
        if p.document.frameworks.get("cis-aws-3.0") and not p.document.frameworks.get("cis-aws-4.0")
    ]
    assert missing == []


def test_a_reason_is_accepted_in_place_of_mappings() -> None:
    reason = "no_framework_reason: Cost hygiene that no compliance control speaks to."
    loaded = load_text(DRAFT.format(mapping=reason), "aws/demo.yaml")
    assert isinstance(loaded, CompiledPolicy), loaded
    assert loaded.document.no_framework_reason is not None
    assert loaded.document.no_framework_reason.startswith("Cost hygiene")


@pytest.mark.parametrize(
    ("mapping", "line", "message"),
    [
        (
            'frameworks: {soc2: ["CC6.1"]}\nno_framework_reason: Cost hygiene, no control applies.',
            9,
            "needs no no-framework reason",
        ),
        ("no_framework_reason: cost", 8, "at least 20 characters"),
        ("no_framework_reason: ['a list, not a sentence of text']", 8, "valid string"),
    ],
)
def test_a_bad_reason_is_a_load_error_at_its_line(mapping: str, line: int, message: str) -> None:
    loaded = load_text(DRAFT.format(mapping=mapping), "aws/demo.yaml")
    assert isinstance(loaded, PolicyError), loaded
    assert (loaded.file, loaded.line, loaded.path) == ("aws/demo.yaml", line, "no_framework_reason")
    assert message in loaded.message
