"""AutoFix across the six service processes on real PostgreSQL, Kafka, OpenSearch and moto, with a
real SMTP server (aiosmtpd on 127.0.0.1) receiving what owners are told.

The services start once for the module; each test makes its own buckets, scans and waits for its
own outcome. Two accounts are onboarded: moto's default one, on the policy's allow-list, and a
second one reached through a role, which is not.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import boto3
import httpx
import jsonschema
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaConsumer
from aiosmtpd.controller import Controller
from botocore.exceptions import ClientError

from pacbot.cli.devstack import StackInfo
from pacbot.common.events import AUTOFIX_TOPIC, event_schemas
from pacbot.common.testing import eventually
from tests.actors import ALICE, BOB, TEAM, VIEWER, Actors, actors
from tests.scenario import PUBLIC
from tests.services import (
    SERVICES,
    Cluster,
    free_port,
    fresh_database,
    fresh_search_alias,
    fresh_topics,
    running_services,
    service_env,
)

pytestmark = [pytest.mark.e2e, pytest.mark.real, pytest.mark.asyncio(loop_scope="module")]

MAIN = "123456789012"  # moto's default account: on the policy's allow-list
OTHER = "222222222222"  # onboarded through a role, not on the allow-list
OTHER_ROLE = f"arn:aws:iam::{OTHER}:role/pacbot-discovery"
GRACE = 4.0
REMINDER_EVERY = 1.5
FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
TIMEOUT = 60
DATABASE = "pacbot_e2e_autofix"


@dataclass
class Mailbox:
    """An aiosmtpd handler keeping every message it accepts, as the recipient's server would."""

    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted"

    def about(self, bucket: str, kind: str | None = None) -> list[EmailMessage]:
        """Messages whose subject names ``bucket`` (of one kind: notice, reminder...), in order."""
        return [
            m
            for m in list(self.messages)
            if bucket in str(m["Subject"]) and kind in (None, m["X-PacBot-Kind"])
        ]

    async def wait_for(self, bucket: str, kind: str) -> EmailMessage:
        """The first message of ``kind`` about ``bucket``, once it has arrived."""

        async def arrived() -> list[EmailMessage]:
            return self.about(bucket, kind)

        return (await eventually(arrived, timeout=TIMEOUT, what=f"a {kind} about {bucket}"))[0]


@dataclass
class Rig:
    """The running services, the mailbox behind their SMTP relay, and the stack."""

    cluster: Cluster
    mailbox: Mailbox
    stack: StackInfo

    def s3(self, account: str = MAIN) -> Any:
        """An S3 client on moto acting in ``account`` (the other one through its role)."""
        creds: dict[str, str] = {
            "aws_access_key_id": "testing",
            "aws_secret_access_key": "testing",
        }
        if account != MAIN:
            sts = boto3.client(
                "sts", endpoint_url=self.stack.moto_url, region_name="us-east-1", **creds
            )
            assumed = sts.assume_role(RoleArn=OTHER_ROLE, RoleSessionName="e2e")["Credentials"]
            creds = {
                "aws_access_key_id": assumed["AccessKeyId"],
                "aws_secret_access_key": assumed["SecretAccessKey"],
                "aws_session_token": assumed["SessionToken"],
            }
        moto = self.stack.moto_url
        return boto3.client("s3", endpoint_url=moto, region_name="us-east-1", **creds)

    def people(self) -> AbstractAsyncContextManager[Actors]:
        """The admin, Alice (owner of the team's buckets) and Bob (security)."""
        return actors(self.cluster.key, self.cluster.gateway)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def rig(stack: StackInfo, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Rig]:
    """An SMTP server, then the six services once: fresh topics, database, moto and index."""
    await fresh_topics(stack.kafka_bootstrap)
    await fresh_database(stack, DATABASE)
    async with httpx.AsyncClient(timeout=60) as client:
        (await client.post(f"{stack.moto_url}/moto-api/reset")).raise_for_status()
    async with fresh_search_alias(stack.opensearch_url, "autofix") as search:
        mailbox = Mailbox()
        smtp_port = free_port()
        smtp = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
        smtp.start()
        ports = {name: free_port() for name in SERVICES}
        policy = {"accounts": [MAIN], "grace_seconds": GRACE}
        env = service_env(
            stack,
            DATABASE,
            ports,
            {
                "PACBOT_AUTOFIX_POLICIES": json.dumps({PUBLIC: policy}),
                "PACBOT_AUTOFIX_SMTP_HOST": "127.0.0.1",
                "PACBOT_AUTOFIX_SMTP_PORT": str(smtp_port),
                "PACBOT_AUTOFIX_SMTP_FROM": "autofix@pacbot.example",
                "PACBOT_AUTOFIX_REMINDERS": "1",
                "PACBOT_AUTOFIX_REMINDER_INTERVAL_SECONDS": str(REMINDER_EVERY),
                "PACBOT_AUTOFIX_TIMER_POLL_SECONDS": "0.3",
                "PACBOT_AUTOFIX_NOTIFY_POLL_SECONDS": "0.2",
                "PACBOT_INVENTORY_SEARCH_REFRESH": "true",
                "PACBOT_INVENTORY_REGIONS": '["us-east-1"]',
                "PACBOT_GATEWAY_RATE_LIMIT_PER_MINUTE": "100000",
                **search,
            },
        )
        try:
            with running_services(
                env, ports, tmp_path_factory.mktemp("autofix-e2e") / "logs"
            ) as urls:
                cluster = Cluster(urls, env)
                async with cluster.gateway(await cluster.admin_key()) as admin:
                    for body in (
                        {"account_id": MAIN, "name": "main"},
                        {"account_id": OTHER, "name": "sandbox", "role_arn": OTHER_ROLE},
                    ):
                        made = await admin.post("/api/v1/accounts", json=body)
                        assert made.status_code == 201, made.text
                yield Rig(cluster, mailbox, stack)
        finally:
            smtp.stop()


# --- helpers ----------------------------------------------------------------------------------


def public_bucket(s3: Any, name: str) -> str:
    """A bucket the team owns, readable by anyone through its ACL."""
    s3.create_bucket(Bucket=name)
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "Owner", "Value": TEAM}]})
    s3.put_bucket_acl(Bucket=name, ACL="public-read")
    return name


def block_of(s3: Any, bucket: str) -> dict[str, bool] | None:
    """The bucket's PublicAccessBlock as moto has it, or None."""
    try:
        return dict(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"])
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NoSuchPublicAccessBlockConfiguration":
            raise
        return None


async def scan(api: httpx.AsyncClient) -> None:
    """Sweep the S3 buckets of every onboarded account."""
    done = await api.post("/api/v1/scans", json={"resource_types": ["aws.s3.bucket"]})
    assert done.status_code == 200, done.text


async def violation_of(api: httpx.AsyncClient, bucket: str, status: str) -> dict[str, Any]:
    """The public-access violation of ``bucket`` once it is in ``status``."""

    async def probe() -> dict[str, Any] | None:
        found = await api.get("/api/v1/violations", params={"policy_id": PUBLIC, "limit": "500"})
        found.raise_for_status()
        for item in found.json()["items"]:
            if item["asset_name"] == bucket and item["status"] == status:
                one = await api.get(f"/api/v1/violations/{item['violation_id']}")
                one.raise_for_status()
                body: dict[str, Any] = one.json()
                return body
        return None

    return await eventually(probe, timeout=TIMEOUT, what=f"{bucket}'s violation {status}")


async def plan_of(
    api: httpx.AsyncClient, violation_id: str, statuses: tuple[str, ...]
) -> dict[str, Any]:
    """The (detailed) fix plan of a violation once it is in one of ``statuses``."""

    async def probe() -> dict[str, Any] | None:
        listed = await api.get("/api/v1/fixes", params={"violation_id": violation_id})
        listed.raise_for_status()
        for item in listed.json()["items"]:
            if item["kind"] == "fix" and item["status"] in statuses:
                return await plan(api, item["plan_id"])
        return None

    return await eventually(probe, timeout=TIMEOUT, what=f"a plan of {violation_id} {statuses}")


async def plan(api: httpx.AsyncClient, plan_id: str) -> dict[str, Any]:
    """One plan with its history and notifications."""
    found = await api.get(f"/api/v1/fixes/{plan_id}")
    assert found.status_code == 200, found.text
    body: dict[str, Any] = found.json()
    return body


def steps(detail: dict[str, Any]) -> list[str]:
    """The plan's history, step by step."""
    return [step["step"] for step in detail["history"]]


async def fix_events(bootstrap: str, plan_ids: set[str], last: str) -> dict[str, list[str]]:
    """Read ``pacbot.autofix.v1`` as an outside team would (its own group, the published schemas)
    until each plan's events end with ``last``; the event types per plan, short names."""
    schemas = event_schemas()  # what `make schemas` publishes in docs/events
    envelope_schema, data_schema = schemas["envelope"], schemas["FixChanged"]
    consumer = AIOKafkaConsumer(
        AUTOFIX_TOPIC,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        group_id=f"e2e-autofix-reader-{uuid.uuid4().hex[:8]}",
        enable_auto_commit=False,
    )
    seen: dict[str, list[str]] = {}
    await consumer.start()
    try:

        async def read() -> dict[str, list[str]] | None:
            batches = await consumer.getmany(timeout_ms=1000)
            for records in batches.values():
                for record in records:
                    assert record.value is not None
                    envelope = json.loads(record.value)
                    jsonschema.validate(envelope, envelope_schema)
                    jsonschema.validate(envelope["data"], data_schema)
                    data = envelope["data"]
                    assert record.key == data["plan_id"].encode()
                    short = data["event_type"].removeprefix("pacbot.fix.")
                    seen.setdefault(data["plan_id"], []).append(short)
            done = all(seen.get(p, [""])[-1] == last for p in plan_ids)
            return seen if done else None

        return await eventually(read, timeout=TIMEOUT, what=f"fix events ending {last}")
    finally:
        await consumer.stop()


# --- the scenarios ----------------------------------------------------------------------------


async def test_owner_is_emailed_and_reminded_then_the_fix_lands_and_the_violation_closes(
    rig: Rig,
) -> None:
    s3 = rig.s3()
    bucket = public_bucket(s3, f"af-fixed-{uuid.uuid4().hex[:8]}")
    async with rig.people() as acting:
        api = acting.admin
        await scan(api)
        opened = await violation_of(api, bucket, "open")

        notice = await rig.mailbox.wait_for(bucket, "notice")
        assert notice["To"] == TEAM
        assert notice["From"] == "autofix@pacbot.example"
        assert bucket in notice["Subject"]
        assert "Block Public Access" in notice["Subject"]
        text = notice.get_body(("plain",))
        assert text is not None
        assert bucket in text.get_content()
        stated = re.search(r"after (\S+) \(a grace period", text.get_content())
        assert stated is not None, text.get_content()
        assert block_of(s3, bucket) is None  # the grace period runs from the delivered notice

        reminder = await rig.mailbox.wait_for(bucket, "reminder")
        assert reminder["To"] == TEAM
        assert "Reminder" in reminder["Subject"]

        applied = await plan_of(api, opened["violation_id"], ("applied",))
        assert block_of(s3, bucket) == dict.fromkeys(FLAGS, True)
        assert applied["backup"] == {"PublicAccessBlock": None}
        assert applied["reminders_sent"] == 1
        assert [c["operation"] for c in applied["calls"]] == ["put_public_access_block"]
        # the notice told the owner a time a whole grace period after the plan was made
        told_due = datetime.fromisoformat(stated.group(1))
        assert told_due >= datetime.fromisoformat(applied["created_at"]) + timedelta(seconds=GRACE)
        notified_at = datetime.fromisoformat(applied["notified_at"])
        applied_at = datetime.fromisoformat(applied["applied_at"])
        assert applied_at - notified_at >= timedelta(seconds=GRACE)
        history = steps(applied)
        assert history[:2] == ["planned", "notified"], history
        assert history.index("reminded") < history.index("backed_up") < history.index("applied")
        told = {n["kind"]: n for n in applied["notifications"]}  # newest first
        for kind in ("notice", "reminder"):
            assert told[kind]["recipient"] == TEAM
            assert told[kind]["status"] == "delivered"
            assert [d["channel"] for d in told[kind]["deliveries"]] == ["email"]
        # mail order: notice, reminder, then the outcome
        outcome = await rig.mailbox.wait_for(bucket, "outcome")
        assert outcome["To"] == TEAM
        assert [m["X-PacBot-Kind"] for m in rig.mailbox.about(bucket)] == [
            "notice",
            "reminder",
            "outcome",
        ]

        await scan(api)
        closed = await violation_of(api, bucket, "closed")
        assert closed["close_reason"] == "fixed"


async def test_an_exception_granted_during_the_wait_stops_the_fix(rig: Rig) -> None:
    s3 = rig.s3()
    bucket = public_bucket(s3, f"af-excepted-{uuid.uuid4().hex[:8]}")
    async with rig.people() as acting:
        api = acting.admin
        await scan(api)
        opened = await violation_of(api, bucket, "open")
        waiting = await plan_of(api, opened["violation_id"], ("waiting",))
        assert rig.mailbox.about(bucket, "notice")

        # the owner asks, security grants, both while the grace period runs
        requested = await acting.requester.post(
            "/api/v1/exceptions",
            json={
                "asset_ids": [opened["asset_id"]],
                "policy_ids": [PUBLIC],
                "reason": "a public website bucket, reviewed",
                "expires_at": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
            },
        )
        assert requested.status_code == 201, requested.text
        assert requested.json()["requester"] == ALICE.subject
        exception_id = requested.json()["exception_id"]
        granted = await acting.approver.post(f"/api/v1/exceptions/{exception_id}/approve")
        assert granted.status_code == 200, granted.text
        assert granted.json()["approver"] == BOB.subject
        assert datetime.now(UTC) < datetime.fromisoformat(waiting["due_at"])

        stopped = await plan_of(api, opened["violation_id"], ("cancelled", "skipped"))
        assert stopped["plan_id"] == waiting["plan_id"]
        assert "exempted" in stopped["detail"], stopped["detail"]
        exempted = await violation_of(api, bucket, "exempted")
        assert exempted["exception_id"] == exception_id

        # past the time the fix was due, nothing has changed
        due = datetime.fromisoformat(waiting["due_at"])
        await eventually(
            lambda: _after(due + timedelta(seconds=1)), timeout=TIMEOUT, what="the due time"
        )
        assert block_of(s3, bucket) is None
        final = await plan(api, waiting["plan_id"])
        assert final["status"] == stopped["status"]
        assert "backed_up" not in steps(final)
        assert final["applied_at"] is None
        assert not rig.mailbox.about(bucket, "outcome")


async def _after(moment: datetime) -> bool:
    return datetime.now(UTC) > moment


async def test_an_account_off_the_allow_list_is_not_touched(rig: Rig) -> None:
    other_s3 = rig.s3(OTHER)
    bucket = public_bucket(other_s3, f"af-sandbox-{uuid.uuid4().hex[:8]}")
    async with rig.people() as acting:
        api = acting.admin
        await scan(api)
        opened = await violation_of(api, bucket, "open")
        assert opened["account_id"] == OTHER

        skipped = await plan_of(api, opened["violation_id"], ("skipped",))
        assert skipped["account_id"] == OTHER
        assert (
            f"account {OTHER} is not on the allow-list of policy {PUBLIC}" in skipped["detail"]
        ), skipped["detail"]
        assert skipped["notifications"] == []
        assert steps(skipped) == ["skipped"]
    assert block_of(other_s3, bucket) is None
    assert rig.mailbox.about(bucket) == []


async def test_rollback_restores_the_backup_for_security_only(rig: Rig) -> None:
    s3 = rig.s3()
    bucket = public_bucket(s3, f"af-rolled-{uuid.uuid4().hex[:8]}")
    async with rig.people() as acting:
        api = acting.admin
        await scan(api)
        opened = await violation_of(api, bucket, "open")
        applied = await plan_of(api, opened["violation_id"], ("applied",))
        assert block_of(s3, bucket) == dict.fromkeys(FLAGS, True)
        plan_id = applied["plan_id"]
        why = {"reason": "the website must stay public"}

        async with rig.cluster.gateway(await rig.cluster.key(VIEWER)) as viewer:
            refused = await viewer.post(f"/api/v1/fixes/{plan_id}/rollback", json=why)
        assert refused.status_code == 403, refused.text
        assert (await plan(api, plan_id))["status"] == "applied"
        assert block_of(s3, bucket) == dict.fromkeys(FLAGS, True)

        asked = await acting.approver.post(f"/api/v1/fixes/{plan_id}/rollback", json=why)
        assert asked.status_code == 202, asked.text
        rollback_id = asked.json()["plan_id"]
        assert asked.json()["kind"] == "rollback"
        assert asked.json()["rollback_of"] == plan_id

        async def restored() -> dict[str, Any] | None:
            original = await plan(api, plan_id)
            return original if original["status"] == "rolled_back" else None

        original = await eventually(restored, timeout=TIMEOUT, what="the fix rolled back")
        assert block_of(s3, bucket) is None
        assert steps(original)[-1] == "rolled_back"
        assert BOB.subject in original["detail"]
        rollback = await plan(api, rollback_id)
        assert rollback["status"] == "applied"
        assert rollback["requested_by"] == BOB.subject
        assert [c["operation"] for c in rollback["calls"]] == ["delete_public_access_block"]

    events = await fix_events(rig.stack.kafka_bootstrap, {plan_id}, "rolled_back")
    assert events[plan_id][:2] == ["planned", "notified"], events[plan_id]
    assert events[plan_id][-3:] == ["backed_up", "applied", "rolled_back"], events[plan_id]
    assert events[plan_id].count("applied") == 1
    assert events[rollback_id] == ["planned", "backed_up", "applied"], events[rollback_id]
