"""Kinesis data streams and Firehose delivery streams through their connectors."""

from __future__ import annotations

from typing import Any

ROLE = "arn:aws:iam::123456789012:role/firehose-delivery"


def test_encrypted_week_long_stream_vs_plain_day_long_stream(aws: Any, discover: Any) -> None:
    kinesis = aws("kinesis")
    kinesis.create_stream(StreamName="orders", ShardCount=1)
    kinesis.start_stream_encryption(
        StreamName="orders", EncryptionType="KMS", KeyId="alias/aws/kinesis"
    )
    kinesis.increase_stream_retention_period(StreamName="orders", RetentionPeriodHours=168)
    kinesis.add_tags_to_stream(StreamName="orders", Tags={"Owner": "orders-team"})
    kinesis.create_stream(StreamName="clicks", ShardCount=2)

    found = {a.name: a for a in discover("aws.kinesis.stream").values()}

    orders, clicks = found["orders"], found["clicks"]
    assert orders.asset_id == "arn:aws:kinesis:us-east-1:123456789012:stream/orders"
    assert orders.owner == "orders-team"
    assert orders.config["EncryptionType"] == "KMS"
    assert orders.config["KeyId"] == "alias/aws/kinesis"
    assert orders.config["RetentionPeriodHours"] == 168
    assert "OpenShardCount" not in orders.config
    assert "StreamStatus" not in orders.config
    assert clicks.config["EncryptionType"] == "NONE"
    assert clicks.config["KeyId"] is None
    assert clicks.config["RetentionPeriodHours"] == 24
    assert clicks.config["Tags"] == {}


def test_encrypted_delivery_stream_vs_unencrypted_one(aws: Any, discover: Any) -> None:
    firehose = aws("firehose")
    destination = {"RoleARN": ROLE, "BucketARN": "arn:aws:s3:::events-archive"}
    logging = {
        "Enabled": True,
        "LogGroupName": "/aws/kinesisfirehose/events",
        "LogStreamName": "S3",
    }
    firehose.create_delivery_stream(
        DeliveryStreamName="events",
        DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={**destination, "CloudWatchLoggingOptions": logging},
        Tags=[{"Key": "Owner", "Value": "data"}],
    )
    firehose.create_delivery_stream(
        DeliveryStreamName="debug",
        DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration=destination,
    )
    firehose.start_delivery_stream_encryption(
        DeliveryStreamName="events",
        DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"},
    )

    found = {a.name: a for a in discover("aws.firehose.delivery_stream").values()}

    events, debug = found["events"], found["debug"]
    assert events.asset_id == "arn:aws:firehose:us-east-1:123456789012:deliverystream/events"
    assert events.owner == "data"
    assert events.config["EncryptionEnabled"] is True
    assert events.config["DeliveryStreamEncryptionConfiguration"]["KeyType"] == "AWS_OWNED_CMK"
    assert events.config["Destinations"][0]["ExtendedS3DestinationDescription"]["BucketARN"] == (
        "arn:aws:s3:::events-archive"
    )
    extended = events.config["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert extended["CloudWatchLoggingOptions"] == logging
    assert "DeliveryStreamStatus" not in events.config
    assert debug.config["EncryptionEnabled"] is False
    assert debug.config["Tags"] == {}


def test_delivery_stream_credentials_never_reach_the_document() -> None:
    from pacbot.inventory.connectors.firehose import delivery_stream_config

    description = {
        "DeliveryStreamName": "siem",
        "DeliveryStreamARN": "arn:aws:firehose:us-east-1:123456789012:deliverystream/siem",
        "DeliveryStreamStatus": "ACTIVE",
        "DeliveryStreamType": "DirectPut",
        "DeliveryStreamEncryptionConfiguration": {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"},
        "Destinations": [
            {
                "DestinationId": "destinationId-000000000001",
                "SplunkDestinationDescription": {
                    "HECEndpoint": "https://splunk.example.com:8088",
                    "HECToken": "00000000-1111-2222-3333-444444444444",
                },
            }
        ],
    }

    config = delivery_stream_config(description, [])

    assert "HECToken" not in str(config)
    assert config["Destinations"][0]["SplunkDestinationDescription"]["HECEndpoint"].startswith(
        "https://"
    )
    assert config["EncryptionEnabled"] is True


def test_lists_that_page_by_their_last_item_are_read_to_the_end() -> None:
    """Kinesis and Firehose page by naming the last item seen; every page is read, in order."""
    from pacbot.inventory.connectors._aws import paginate_after_last

    keys = [f"k{n}" for n in range(7)]
    asked: list[dict[str, Any]] = []

    def list_tags(**kwargs: Any) -> dict[str, Any]:
        asked.append(kwargs)
        after = kwargs.get("ExclusiveStartTagKey")
        start = keys.index(after) + 1 if after else 0
        page = [{"Key": k, "Value": "v"} for k in keys[start : start + 3]]
        return {"Tags": page, "HasMoreTags": start + 3 < len(keys)}

    tags = paginate_after_last(
        list_tags, "Tags", "HasMoreTags", "ExclusiveStartTagKey", lambda t: t["Key"], StreamName="s"
    )
    assert [t["Key"] for t in tags] == keys
    assert asked == [
        {"StreamName": "s"},
        {"StreamName": "s", "ExclusiveStartTagKey": "k2"},
        {"StreamName": "s", "ExclusiveStartTagKey": "k5"},
    ]
