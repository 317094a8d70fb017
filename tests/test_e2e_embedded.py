"""The whole loop in one process: SQLite per service, the in-memory bus, a moto server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from pacbot.cli.demo import MOTO_ACCOUNT, moto_server, run_demo
from pacbot.cli.embedded import EmbeddedOptions, EmbeddedPacBot
from tests.lifecycle_scenario import run_lifecycle_scenario
from tests.scenario import run_scenario

pytestmark = pytest.mark.e2e


@pytest.fixture
def moto_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private moto server so bucket counts are exact."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with moto_server() as url:
        yield url


async def test_loop_embedded(moto_url: str, tmp_path: Path) -> None:
    s3 = boto3.client("s3", endpoint_url=moto_url, region_name="us-east-1")
    options = EmbeddedOptions(
        data_dir=tmp_path,
        aws_endpoint_url=moto_url,
        grace_seconds=2,
        autofix_accounts=[MOTO_ACCOUNT],
    )
    async with EmbeddedPacBot(options) as pacbot, pacbot.client() as api:
        await run_scenario(api, s3, "emb")


async def test_exception_and_policy_lifecycle_embedded(moto_url: str, tmp_path: Path) -> None:
    s3 = boto3.client("s3", endpoint_url=moto_url, region_name="us-east-1")
    options = EmbeddedOptions(
        data_dir=tmp_path,
        aws_endpoint_url=moto_url,
        extra={"exceptions": {"expiry_poll_seconds": 0.5}},
    )
    async with EmbeddedPacBot(options) as pacbot, pacbot.client() as api:
        await run_lifecycle_scenario(api, s3, "life")


async def test_demo_finds_and_fixes_what_was_seeded(moto_url: str, tmp_path: Path) -> None:
    from pacbot.cli.estate import ESTATE

    result = await run_demo(moto_url, tmp_path, grace_seconds=1)
    fixed = {(v["asset_name"], v["policy_id"]) for v in result["closed"]}
    assert fixed == {
        ("acme-payments-exports", "aws-s3-bucket-public-access"),
        ("acme-build-cache", "aws-s3-bucket-public-access"),
    }
    assert {f["status"] for f in result["fixes"]} == {"applied", "cancelled"}
    still_open = {(v["asset_name"], v["policy_id"]) for v in result["open"]}
    for bucket in ESTATE:
        if "aws-s3-bucket-default-encryption" in bucket.expected_failures:
            assert (bucket.name, "aws-s3-bucket-default-encryption") in still_open
        else:
            assert (bucket.name, "aws-s3-bucket-default-encryption") not in still_open
    public_open = {name for name, policy in still_open if policy == "aws-s3-bucket-public-access"}
    assert public_open == set()  # fixed, or exempted (the marketing site)
    assert result["after"]["overall_pct"] > result["before"]["overall_pct"]
