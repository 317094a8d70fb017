"""The whole loop in one process: SQLite per service, the in-memory bus, a moto server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.exceptions import ClientError

from pacbot.autofix.settings import AutofixSettings
from pacbot.cli.demo import MOTO_ACCOUNT, moto_server, smtp_sink
from pacbot.cli.embedded import EmbeddedOptions, EmbeddedPacBot
from pacbot.common.events import (
    ASSETS_TOPIC,
    EVALUATIONS_TOPIC,
    TOPIC_CONSUMERS,
    TOPIC_PRODUCERS,
    VIOLATIONS_TOPIC,
    Envelope,
)
from pacbot.common.testing import eventually
from tests.actors import TEAM, Actors, Identity, actors
from tests.lifecycle_scenario import run_lifecycle_scenario
from tests.scenario import PUBLIC, run_scenario

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
    async with smtp_sink() as mail:
        options = EmbeddedOptions(
            data_dir=tmp_path,
            aws_endpoint_url=moto_url,
            grace_seconds=2,
            autofix_policies={PUBLIC: {}},
            autofix_accounts=[MOTO_ACCOUNT],
            notify={"smtp_host": mail.host, "smtp_port": mail.port},
            extra=GATEWAY,
        )
        async with EmbeddedPacBot(options) as pacbot, keyed(pacbot) as people:
            await run_scenario(people, s3, "emb")
            # the fix waited for a delivered notice: the bucket's owner got it by email
            notices = [m for m in mail.messages if m.kind == "notice"]
            assert notices, mail.messages
            assert {m.to for m in notices} == {TEAM}
            assert all("emb-public" in m.subject for m in notices), notices
            await _signed_calls_only(pacbot)
            _topics_as_the_acls_grant(pacbot)


def _topics_as_the_acls_grant(pacbot: EmbeddedPacBot) -> None:
    """Each service reads and writes only the topics its Kafka ACLs grant (``pacbot kafka setup
    --acls`` derives them from TOPIC_PRODUCERS / TOPIC_CONSUMERS): what it subscribed to, and
    the source of every event the scenario put on each topic."""
    bus = pacbot.bus
    subscribed = {(topic, sub.group) for sub in bus._subs for topic in sub.topics}
    assert subscribed, "the services subscribed to nothing"
    for topic, group in subscribed:
        readers = TOPIC_CONSUMERS.get(topic, frozenset())
        assert any(group.startswith(service) for service in readers), (topic, group)
    written = {
        (topic, Envelope.decode(message.value).source)
        for topic in TOPIC_PRODUCERS
        for message in bus.messages(topic)
    }
    assert {topic for topic, _ in written} >= {ASSETS_TOPIC, EVALUATIONS_TOPIC, VIOLATIONS_TOPIC}
    for topic, source in written:
        assert source == TOPIC_PRODUCERS[topic], (topic, source)


async def _signed_calls_only(pacbot: EmbeddedPacBot) -> None:
    """The gateway wants a key, a service wants this instance's signature."""
    async with pacbot.client() as anonymous:
        assert (await anonymous.get("/api/v1/violations")).status_code == 401
    async with pacbot.client("violations") as signed:  # as service:embedded
        assert (await signed.get("/violations")).status_code == 200
    unsigned = httpx.AsyncClient(
        transport=httpx.ASGITransport(pacbot.apps["violations"]), base_url="http://v"
    )
    async with unsigned:
        assert (await unsigned.get("/violations")).status_code == 401


async def test_autofix_without_a_channel_holds_and_honours_the_exclusion_tag(
    moto_url: str, tmp_path: Path
) -> None:
    """No channel: the owner is not notified, so the plan is held and nothing changes; a bucket
    tagged ``pacbot:autofix=off`` is not planned at all."""
    s3 = boto3.client("s3", endpoint_url=moto_url, region_name="us-east-1")
    tags = {"held-public": {"Owner": TEAM}, "off-public": {"Owner": TEAM, "pacbot:autofix": "off"}}
    for bucket, tagged in tags.items():
        s3.create_bucket(Bucket=bucket)
        tag_set: list[Any] = [{"Key": k, "Value": v} for k, v in tagged.items()]
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tag_set})
        s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    options = EmbeddedOptions(
        data_dir=tmp_path,
        aws_endpoint_url=moto_url,
        grace_seconds=0,
        autofix_policies={PUBLIC: {}},
        autofix_accounts=[MOTO_ACCOUNT],
        extra=GATEWAY,
    )
    async with EmbeddedPacBot(options) as pacbot:
        settings = pacbot.runtime("autofix").settings
        assert isinstance(settings, AutofixSettings)
        assert settings.policy(PUBLIC) is not None
        assert settings.policy("aws-s3-bucket-default-encryption") is None  # not listed
        key = await pacbot.issue_key("security", subject="sec@x.example")
        async with pacbot.client(key=key) as api:
            (await api.post("/api/v1/scans", json={})).raise_for_status()
            await pacbot.settle()

            async def settled() -> dict[str, str] | None:
                plans = (await api.get("/api/v1/fixes")).json()["items"]
                by_bucket = {p["asset_name"]: p["status"] for p in plans}
                return by_bucket if by_bucket.get("held-public") == "held" else None

            by_bucket = await eventually(settled, timeout=30, what="a held plan")
            assert by_bucket == {"held-public": "held", "off-public": "skipped"}
            assert {p["policy_id"] for p in (await api.get("/api/v1/fixes")).json()["items"]} == {
                PUBLIC
            }
        with pytest.raises(ClientError):  # never blocked: the fix did not run
            s3.get_public_access_block(Bucket="held-public")


async def test_exception_and_policy_lifecycle_embedded(moto_url: str, tmp_path: Path) -> None:
    s3 = boto3.client("s3", endpoint_url=moto_url, region_name="us-east-1")
    options = EmbeddedOptions(
        data_dir=tmp_path,
        aws_endpoint_url=moto_url,
        extra={"exceptions": {"expiry_poll_seconds": 0.5}, **GATEWAY},
    )
    async with EmbeddedPacBot(options) as pacbot, keyed(pacbot) as people:
        await run_lifecycle_scenario(people, s3, "life")
