"""The SQS change queue (fed by EventBridge) against moto's SQS over HTTP, and the posture refresh.

A message is deleted only once handled; one that can never be handled is dead-lettered to the
bus with its reason; one whose handling failed for a transient reason stays in the queue.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import pytest
from prometheus_client import REGISTRY
from pydantic import SecretStr

from pacbot.common.testing import eventually
from pacbot.inventory.changes.parse import parse_change_event
from pacbot.inventory.changes.queue import (
    CHANGES_DEAD_LETTERS,
    ChangeQueue,
    in_daemon_thread,
    unwrap,
)
from pacbot.inventory.connectors import CONNECTORS
from services.inventory.tests.conftest import Inventory, StartInventory, registry_of
from services.inventory.tests.test_change_events import ACCOUNT, PEER, cloudtrail

BUCKET_ARN = "arn:aws:s3:::queued-bucket"
POSTURE = f"arn:aws:account::{ACCOUNT}:posture"


def queue_url(aws: Any, name: str, **attributes: str) -> str:
    url: str = aws("sqs").create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return url


def waiting(aws: Any, url: str) -> int:
    """Messages in the queue, visible or in flight (not yet deleted)."""
    attrs = aws("sqs").get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]) + int(
        attrs["ApproximateNumberOfMessagesNotVisible"]
    )


def sns_wrapped(event: dict[str, Any]) -> dict[str, Any]:
    return {"Type": "Notification", "MessageId": "m-1", "Message": json.dumps(event)}


async def asset(inventory: Inventory, asset_id: str) -> dict[str, Any]:
    response = await inventory.client.get(f"/assets/{asset_id}")
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


@pytest.mark.parametrize("shape", ["eventbridge", "cloudtrail", "sns"])
async def test_public_bucket_event_from_the_queue_changes_the_asset(
    start_inventory: StartInventory, aws: Any, s3: Any, shape: str
) -> None:
    url = queue_url(aws, f"changes-{shape}")
    async with start_inventory(change_queue_url=url, change_queue_wait_seconds=1) as inventory:
        s3.create_bucket(Bucket="queued-bucket")
        await inventory.scan()
        assert (await asset(inventory, BUCKET_ARN))["config"]["PublicAclGrants"] == []
        before = len(await inventory.events())
        handled, aged = counted("handled"), ages_observed()
        s3.put_bucket_acl(Bucket="queued-bucket", ACL="public-read")
        event = cloudtrail("PutBucketAcl", "queued-bucket")
        body = {
            "eventbridge": event,
            "cloudtrail": {**event["detail"], "recipientAccountId": ACCOUNT},
            "sns": sns_wrapped(event),
        }[shape]
        aws("sqs").send_message(QueueUrl=url, MessageBody=json.dumps(body))

        async def public() -> bool:
            return bool((await asset(inventory, BUCKET_ARN))["config"]["PublicAclGrants"])

        await eventually(public, timeout=15, what="the bucket to be seen public")
        new = (await inventory.events())[before:]
        assert [(e.type, e.subject) for e in new] == [("pacbot.asset.upserted", BUCKET_ARN)]
        await eventually(lambda: _async(waiting(aws, url) == 0), timeout=10, what="deletion")
        assert counted("handled") == handled + 1
        assert ages_observed() == aged + 1


async def _async(value: bool) -> bool:
    return value


def counted(outcome: str) -> float:
    """The change queue's message counter for ``outcome`` (0 before its first increment)."""
    value = REGISTRY.get_sample_value("pacbot_change_queue_messages_total", {"outcome": outcome})
    return value or 0.0


def ages_observed() -> float:
    return REGISTRY.get_sample_value("pacbot_change_queue_age_seconds_count") or 0.0


async def test_malformed_messages_are_dead_lettered_with_the_reason_and_deleted(
    start_inventory: StartInventory, aws: Any
) -> None:
    url = queue_url(aws, "changes-malformed")
    stranger = cloudtrail("PutBucketAcl", "their-bucket")
    stranger["account"] = "999999999999"
    bodies = {
        "not json": "{nope",
        "a list": "[1, 2]",
        "no source": json.dumps({"account": ACCOUNT, "detail": {}}),
        "stranger": json.dumps(stranger),
        "bad sns": json.dumps({"Type": "Notification", "Message": "<xml/>"}),
    }
    dead_before = counted("dead_lettered")
    async with start_inventory(change_queue_url=url, change_queue_wait_seconds=1) as inventory:
        for body in bodies.values():
            aws("sqs").send_message(QueueUrl=url, MessageBody=body)

        async def dead() -> list[Any]:
            await inventory.bus.drain()
            found = inventory.bus.messages(CHANGES_DEAD_LETTERS)
            return found if len(found) == len(bodies) else []

        letters = await eventually(dead, timeout=15, what="every message dead-lettered")
        await eventually(lambda: _async(waiting(aws, url) == 0), timeout=10, what="deletion")
    assert counted("dead_lettered") == dead_before + len(bodies)
    by_body = {m.value.decode(): dict(m.headers) for m in letters}
    assert set(by_body) == set(bodies.values())  # the raw body, unchanged
    reasons = {name: by_body[body]["pacbot-error"].decode() for name, body in bodies.items()}
    assert "not JSON" in reasons["not json"]
    assert "JSON list" in reasons["a list"]
    assert "eventSource" in reasons["no source"]
    assert "999999999999 is not onboarded" in reasons["stranger"]
    assert "Message is not JSON" in reasons["bad sns"]
    assert all(h["pacbot-original-topic"] == b"pacbot.changes" for h in by_body.values())
    assert all(h["pacbot-change-queue"] == url.encode() for h in by_body.values())


async def test_a_failed_handler_leaves_the_message_for_redelivery(
    inventory: Inventory, aws: Any
) -> None:
    url = queue_url(aws, "changes-failing")
    aws("sqs").send_message(QueueUrl=url, MessageBody=json.dumps(cloudtrail("PutBucketAcl", "b")))
    calls: list[dict[str, Any]] = []

    async def down(event: dict[str, Any]) -> object:
        calls.append(event)
        raise ConnectionError("database unreachable")

    failing = ChangeQueue(
        inventory.runtime, url, down, region="us-east-1", wait_seconds=1, visibility_seconds=1
    )
    retried = counted("retried")
    assert await failing.poll_once() == 1
    assert counted("retried") == retried + 1
    assert waiting(aws, url) == 1  # still there, invisible for a second
    assert inventory.bus.messages(CHANGES_DEAD_LETTERS) == []

    async def handled(event: dict[str, Any]) -> object:
        calls.append(event)
        return []

    working = ChangeQueue(
        inventory.runtime, url, handled, region="us-east-1", wait_seconds=2, visibility_seconds=1
    )
    await asyncio.sleep(1.2)
    assert await working.poll_once() == 1  # delivered again once the visibility timeout ended
    assert waiting(aws, url) == 0
    assert [c["detail"]["eventName"] for c in calls] == ["PutBucketAcl", "PutBucketAcl"]


async def test_the_consumer_stops_promptly_and_readyz_ignores_it(
    start_inventory: StartInventory, aws: Any
) -> None:
    url = queue_url(aws, "changes-stop")
    async with start_inventory(change_queue_url=url, change_queue_wait_seconds=20) as inventory:
        assert (await inventory.client.get("/readyz")).status_code == 200
        queue = inventory.app.state.change_queue
        await asyncio.sleep(0.2)  # now inside a 20 s long poll
        started = asyncio.get_running_loop().time()
        await queue.stop()
        assert asyncio.get_running_loop().time() - started < 1


def test_a_long_poll_in_flight_does_not_hold_up_shutdown() -> None:
    """The poll runs in a daemon thread: the loop's exit (asyncio.run, the server's) does not
    wait out the 20 s an SQS long poll can take, as it would for asyncio.to_thread."""
    release = threading.Event()

    async def poll_then_stop() -> None:
        poll = asyncio.create_task(in_daemon_thread(release.wait, timeout=20))
        await asyncio.sleep(0.1)
        poll.cancel()
        with pytest.raises(asyncio.CancelledError):
            await poll

    started = time.monotonic()
    asyncio.run(poll_then_stop())
    assert time.monotonic() - started < 2
    release.set()


async def test_a_polls_answer_and_error_reach_the_caller() -> None:
    assert await in_daemon_thread(dict, QueueUrl="q") == {"QueueUrl": "q"}
    with pytest.raises(ZeroDivisionError):
        await in_daemon_thread(lambda: 1 / 0)


async def test_missing_queue_does_not_stop_the_service(start_inventory: StartInventory) -> None:
    url = "http://127.0.0.1:9/123456789012/nowhere"
    async with start_inventory(change_queue_url=url, change_queue_wait_seconds=1) as inventory:
        assert (await inventory.client.get("/readyz")).status_code == 200


def test_envelopes_unwrap() -> None:
    event = cloudtrail("PutBucketAcl", "b")
    assert unwrap(json.dumps(event)) == event
    assert unwrap(json.dumps(sns_wrapped(event))) == event


async def test_trail_events_refresh_the_account_posture(
    start_inventory: StartInventory, aws: Any
) -> None:
    registry = registry_of(CONNECTORS.get("aws.s3.bucket"), CONNECTORS.get("aws.account.posture"))
    async with start_inventory(registry, events_secret=SecretStr("x")) as inventory:
        await inventory.scan()
        assert (await asset(inventory, POSTURE))["config"]["Trails"] == []
        aws("s3").create_bucket(Bucket="audit-logs")
        ct = aws("cloudtrail")
        ct.create_trail(Name="org-audit", S3BucketName="audit-logs", IsMultiRegionTrail=True)
        ct.start_logging(Name="org-audit")
        before = len(await inventory.events())

        started = trail_event("StartLogging", {"name": "org-audit"})
        response = await inventory.client.post("/events/aws", json=started, headers=PEER)

        assert response.status_code == 200, response.text
        assert response.json()["changes"] == [
            {"resource_type": "aws.account.posture", "asset_id": POSTURE, "action": "upserted"}
        ]
        config = (await asset(inventory, POSTURE))["config"]
        assert [(t["Name"], t["IsLogging"]) for t in config["Trails"]] == [("org-audit", True)]
        assert config["Regions"] == ["us-east-1"]  # the account's swept regions
        assert [e.subject for e in (await inventory.events())[before:]] == [POSTURE]

        ct.stop_logging(Name="org-audit")
        stopped = trail_event("StopLogging", {"name": "org-audit"})
        await inventory.client.post("/events/aws", json=stopped, headers=PEER)
        config = (await asset(inventory, POSTURE))["config"]
        assert [(t["Name"], t["IsLogging"]) for t in config["Trails"]] == [("org-audit", False)]


async def test_password_policy_event_without_identifiers_refreshes_it(
    start_inventory: StartInventory, aws: Any
) -> None:
    registry = registry_of(CONNECTORS.get("aws.iam.password_policy"))
    async with start_inventory(registry) as inventory:
        await inventory.scan()
        before = len(await inventory.events())
        aws("iam").update_account_password_policy(MinimumPasswordLength=14)
        event = trail_event(
            "UpdateAccountPasswordPolicy", {"minimumPasswordLength": 14}, source="iam"
        )
        response = await inventory.client.post("/events/aws", json=event, headers=PEER)
        assert response.status_code == 200, response.text
        [change] = response.json()["changes"]
        assert change["resource_type"] == "aws.iam.password_policy"
        assert change["action"] == "upserted"
        assert len((await inventory.events())[before:]) == 1


def test_account_wide_calls_parse_without_identifiers() -> None:
    hint = parse_change_event(trail_event("EnableSecurityHub", {}, source="securityhub"))
    assert hint.refresh == ("aws.account.posture",)
    assert not hint.identifiers
    ebs = parse_change_event(trail_event("EnableEbsEncryptionByDefault", {}, source="ec2"))
    assert ebs.refresh == ("aws.ec2.ebs_encryption_default",)
    assert parse_change_event(cloudtrail("PutBucketAcl", "my-bucket")).refresh == ()


def trail_event(name: str, params: dict[str, Any], source: str = "cloudtrail") -> dict[str, Any]:
    """An EventBridge CloudTrail event of ``source`` (the eventSource prefix)."""
    return {
        "detail-type": "AWS API Call via CloudTrail",
        "source": f"aws.{source}",
        "account": ACCOUNT,
        "region": "us-east-1",
        "detail": {
            "eventSource": f"{source}.amazonaws.com",
            "eventName": name,
            "awsRegion": "us-east-1",
            "requestParameters": params,
            "responseElements": None,
        },
    }
