"""Firehose delivery streams into the logs bucket: one encrypted, one not."""

from __future__ import annotations

from typing import Any

from pacbot.cli.estate._model import Account, Seeded, seeded

DELIVERY_STREAM = "aws.firehose.delivery_stream"


def seed(account: Account, role_arn: str, bucket: str) -> list[Seeded]:
    """Both delivery streams with what each must fail."""
    firehose = account.client("firehose")

    def stream(name: str, log_errors: bool) -> str:
        name = account.name_of(name)
        logging: dict[str, Any] = {"Enabled": log_errors}
        if log_errors:
            logging |= {"LogGroupName": f"/aws/kinesisfirehose/{name}", "LogStreamName": "S3"}
        firehose.create_delivery_stream(
            DeliveryStreamName=name,
            DeliveryStreamType="DirectPut",
            ExtendedS3DestinationConfiguration={
                "RoleARN": role_arn,
                "BucketARN": f"arn:aws:s3:::{bucket}",
                "Prefix": f"firehose/{name}/",
                "CloudWatchLoggingOptions": logging,
            },
        )
        return name

    events = stream("events", log_errors=True)
    firehose.start_delivery_stream_encryption(
        DeliveryStreamName=events,
        DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"},
    )
    debug = stream("debug", log_errors=False)
    return [
        seeded(DELIVERY_STREAM, account.arn("firehose", f"deliverystream/{events}")),
        seeded(
            DELIVERY_STREAM,
            account.arn("firehose", f"deliverystream/{debug}"),
            {
                "aws-firehose-delivery-stream-encrypted",
                "aws-firehose-delivery-stream-error-logging",
            },
        ),
    ]
