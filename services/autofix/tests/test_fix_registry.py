"""Meta-tests over every registered fix, and the S3 fix's compliance rule."""

from __future__ import annotations

import re

import pytest

from pacbot.autofix.fixes import FIXES, Fix, FixRegistry, FixTarget
from pacbot.autofix.fixes.s3_public_access import FLAGS, S3BlockPublicAccess
from pacbot.autofix.plans.notices import duration


@pytest.mark.parametrize("fix", list(FIXES), ids=lambda f: f.name)
def test_every_fix_declares_its_metadata(fix: Fix) -> None:
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", fix.name)
    assert re.fullmatch(r"aws\.[a-z0-9]+\.[a-z_]+", fix.resource_type)
    assert fix.write_permissions, "a fix that writes nothing fixes nothing"
    assert all(re.fullmatch(r"[a-z0-9-]+:[A-Za-z0-9]+", p) for p in fix.permissions)
    assert fix.policies, "a fix answers at least one policy"
    assert isinstance(fix.reversible, bool)
    for text in (fix.description, fix.backs_up, fix.verifies):
        assert text.strip()
    assert FIXES.get(fix.name) is fix


def test_the_s3_fix_is_registered() -> None:
    assert "s3-block-public-access" in FIXES.names()


def test_registering_a_name_twice_is_refused() -> None:
    registry = FixRegistry()
    registry.register(S3BlockPublicAccess)
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(S3BlockPublicAccess)


@pytest.mark.parametrize(
    ("block", "compliant"),
    [
        (None, False),
        (dict.fromkeys(FLAGS, True), True),
        ({**dict.fromkeys(FLAGS, True), "RestrictPublicBuckets": False}, False),
        ({"BlockPublicAcls": True}, False),
    ],
)
def test_s3_compliance_needs_all_four_flags(block: dict[str, bool] | None, compliant: bool) -> None:
    where = FixTarget("arn:aws:s3:::b", "123456789012", "us-east-1", "aws.s3.bucket", "b")
    assert S3BlockPublicAccess().is_compliant({"PublicAccessBlock": block}, where) is compliant


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (86400, "1 day"),
        (3 * 3600, "3 hours"),
        (90 * 60, "1.5 hours"),
        (60, "1 minute"),
        (3, "3 seconds"),
    ],
)
def test_grace_periods_read_as_people_say_them(seconds: float, said: str) -> None:
    assert duration(seconds) == said
