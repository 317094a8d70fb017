"""A CloudTrail/EventBridge change event re-discovers just the resource it names."""

from __future__ import annotations

import json
from typing import Any

from pydantic import SecretStr

from pacbot.common.testing import as_user
from pacbot.inventory.changes.parse import parse_change_event

ACCOUNT = "123456789012"


def cloudtrail(event_name: str, bucket: str, **extra: Any) -> dict[str, Any]:
    """An EventBridge "AWS API Call via CloudTrail" event for an S3 bucket call."""
    return {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.s3",
        "account": ACCOUNT,
        "region": "us-east-1",
        "resources": [],
        "detail": {
            "eventSource": "s3.amazonaws.com",
            "eventName": event_name,
            "awsRegion": "us-east-1",
            "requestParameters": {"bucketName": bucket, "acl": [""]},
            "responseElements": None,
            **extra,
        },
    }


async def test_event_rediscovers_the_named_bucket_only(inventory: Any, s3: Any) -> None:
    s3.create_bucket(Bucket="watched-bucket")
    s3.create_bucket(Bucket="other-bucket")
    await inventory.scan()
    before = len(await inventory.events())
    s3.put_bucket_acl(Bucket="watched-bucket", ACL="public-read")
    s3.put_bucket_acl(Bucket="other-bucket", ACL="public-read")

    response = await inventory.client.post(
        "/events/aws", json=cloudtrail("PutBucketAcl", "watched-bucket"), headers=PEER
    )

    assert response.status_code == 200, response.text
    assert response.json()["changes"] == [
        {
            "resource_type": "aws.s3.bucket",
            "asset_id": "arn:aws:s3:::watched-bucket",
            "action": "upserted",
        }
    ]
    new_events = (await inventory.events())[before:]
    assert [e.subject for e in new_events] == ["arn:aws:s3:::watched-bucket"]
    other = (await inventory.client.get("/assets/arn:aws:s3:::other-bucket")).json()
    assert other["config"]["PublicAclGrants"] == []  # untouched until its own event or sweep


async def test_delete_event_marks_only_that_bucket_deleted(inventory: Any, s3: Any) -> None:
    s3.create_bucket(Bucket="doomed-bucket")
    s3.create_bucket(Bucket="kept-bucket")
    await inventory.scan()
    s3.delete_bucket(Bucket="doomed-bucket")

    response = await inventory.client.post(
        "/events/aws", json=cloudtrail("DeleteBucket", "doomed-bucket"), headers=PEER
    )

    assert response.json()["changes"] == [
        {
            "resource_type": "aws.s3.bucket",
            "asset_id": "arn:aws:s3:::doomed-bucket",
            "action": "deleted",
        }
    ]
    kept = (await inventory.client.get("/assets/arn:aws:s3:::kept-bucket")).json()
    assert kept["deleted"] is False


async def test_unchanged_resource_emits_nothing(inventory: Any, s3: Any) -> None:
    s3.create_bucket(Bucket="calm-bucket")
    await inventory.scan()
    before = len(await inventory.events())
    response = await inventory.client.post(
        "/events/aws", json=cloudtrail("GetBucketAcl", "calm-bucket"), headers=PEER
    )
    assert response.json()["changes"] == []
    assert len(await inventory.events()) == before


async def test_bad_events_are_rejected_with_the_field(inventory: Any) -> None:
    no_source = await inventory.client.post(
        "/events/aws", json={"account": ACCOUNT, "detail": {}}, headers=PEER
    )
    assert no_source.status_code == 400
    assert no_source.json()["field"] == "detail.eventSource"
    uncovered = cloudtrail("PutThing", "some-dashboard")
    uncovered["detail"]["eventSource"] = "quicksight.amazonaws.com"
    response = await inventory.client.post("/events/aws", json=uncovered, headers=PEER)
    assert response.status_code == 400
    assert "no connector covers quicksight" in response.json()["detail"]
    stranger = cloudtrail("PutBucketAcl", "their-bucket")
    stranger["account"] = "999999999999"
    assert (
        await inventory.client.post("/events/aws", json=stranger, headers=PEER)
    ).status_code == 404
    assert (
        await inventory.client.post("/events/aws", json=[1, 2], headers=PEER)
    ).status_code == 422


def test_raw_cloudtrail_records_and_service_aliases_parse() -> None:
    hint = parse_change_event(
        {
            "eventSource": "elasticloadbalancing.amazonaws.com",
            "eventName": "ModifyLoadBalancerAttributes",
            "awsRegion": "eu-west-1",
            "recipientAccountId": ACCOUNT,
            "requestParameters": {
                "loadBalancerArn": "arn:aws:elasticloadbalancing:eu-west-1:1:lb/x"
            },
        }
    )
    assert hint.services == ("elb", "elbv2")
    assert hint.region == "eu-west-1"
    assert "arn:aws:elasticloadbalancing:eu-west-1:1:lb/x" in hint.identifiers


PEER = as_user("service:test", "service")


async def test_events_from_outside_need_the_shared_secret_signature(inventory: Any) -> None:
    """An admin (not a peer) must sign the body; without a configured secret it is refused."""
    from pacbot.inventory.changes.signature import sign

    event = {"account": ACCOUNT, "detail": {}}
    admin = as_user("ada@x", "admin")
    unsigned = await inventory.client.post("/events/aws", json=event, headers=admin)
    assert unsigned.status_code == 403
    assert "PACBOT_INVENTORY_EVENTS_SECRET" in unsigned.json()["detail"]
    viewer = await inventory.client.post("/events/aws", json=event, headers=as_user("v", "viewer"))
    assert viewer.status_code == 403
    settings = inventory.app.state.runtime.settings
    settings.events_secret = SecretStr("s" * 40)
    body = json.dumps(event).encode()
    headers = {**admin, "content-type": "application/json"}
    wrong = await inventory.client.post(
        "/events/aws", content=body, headers={**headers, "X-PacBot-Signature": "sha256=00"}
    )
    assert wrong.status_code == 401
    signed = await inventory.client.post(
        "/events/aws",
        content=body,
        headers={**headers, "X-PacBot-Signature": sign("s" * 40, body)},
    )
    assert signed.status_code == 400  # past the signature: the event itself names no source
    assert signed.json()["field"] == "detail.eventSource"
