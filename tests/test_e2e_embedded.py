"""The whole loop in one process: SQLite per service, the in-memory bus, a moto server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import boto3
import httpx
import pytest

from pacbot.cli.demo import MOTO_ACCOUNT, moto_server, run_demo
from pacbot.cli.embedded import EmbeddedOptions, EmbeddedPacBot
from tests.actors import Actors, Identity, actors
from tests.lifecycle_scenario import run_lifecycle_scenario
from tests.scenario import run_scenario

pytestmark = pytest.mark.e2e
# The scenarios poll the gateway at up to ~20 calls a second for minutes; the per-key limit is
# for runaway scripts, not for this.
GATEWAY = {"gateway": {"rate_limit_per_minute": 100_000}}


def keyed(pacbot: EmbeddedPacBot) -> AbstractAsyncContextManager[Actors]:
    """Gateway clients for the scenarios' identities, with keys issued into this instance."""

    async def issue(who: Identity) -> str:
        return await pacbot.issue_key(*who.roles, subject=who.subject, groups=who.groups)

    return actors(issue, lambda key: pacbot.client(key=key))


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
        extra=GATEWAY,
    )
    async with EmbeddedPacBot(options) as pacbot, keyed(pacbot) as people:
        await run_scenario(people, s3, "emb")
        async with pacbot.client() as anonymous:
            assert (await anonymous.get("/api/v1/violations")).status_code == 401
        async with pacbot.client("violations") as signed:  # as service:embedded
            assert (await signed.get("/violations")).status_code == 200
        unsigned = httpx.AsyncClient(
            transport=httpx.ASGITransport(pacbot.apps["violations"]), base_url="http://v"
        )
        async with unsigned:
            assert (await unsigned.get("/violations")).status_code == 401


async def test_exception_and_policy_lifecycle_embedded(moto_url: str, tmp_path: Path) -> None:
    s3 = boto3.client("s3", endpoint_url=moto_url, region_name="us-east-1")
    options = EmbeddedOptions(
        data_dir=tmp_path,
        aws_endpoint_url=moto_url,
        extra={"exceptions": {"expiry_poll_seconds": 0.5}, **GATEWAY},
    )
    async with EmbeddedPacBot(options) as pacbot, keyed(pacbot) as people:
        await run_lifecycle_scenario(people, s3, "life")


async def test_demo_finds_and_fixes_what_was_seeded(moto_url: str, tmp_path: Path) -> None:
    from pacbot.cli.estate import ESTATE

    result = await run_demo(moto_url, tmp_path, grace_seconds=1)
    assert result["exception"]["requester"] == "web@acme.example"  # the owner key
    assert result["exception"]["approver"] == "security@acme.example"  # the security key
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
