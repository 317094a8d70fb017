"""Kinesis data streams: one encrypted with a week of retention, one left at defaults."""

from __future__ import annotations

from pacbot.cli.estate._model import Account, Seeded, seeded

STREAM = "aws.kinesis.stream"


def seed(account: Account, key_arn: str) -> list[Seeded]:
    """Both streams with what each must fail."""
    kinesis = account.client("kinesis")
    orders = account.name_of("orders")
    kinesis.create_stream(StreamName=orders, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    kinesis.start_stream_encryption(StreamName=orders, EncryptionType="KMS", KeyId=key_arn)
    kinesis.increase_stream_retention_period(StreamName=orders, RetentionPeriodHours=168)
    clicks = account.name_of("clicks")
    kinesis.create_stream(StreamName=clicks, ShardCount=1)
    return [
        seeded(STREAM, account.arn("kinesis", f"stream/{orders}")),
        seeded(
            STREAM,
            account.arn("kinesis", f"stream/{clicks}"),
            {"aws-kinesis-stream-encrypted", "aws-kinesis-stream-retention"},
        ),
    ]
