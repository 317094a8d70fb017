"""SNS topics: one encrypted and private, one unencrypted, one anyone may publish to."""

from __future__ import annotations

from pacbot.cli.estate._model import Account, Seeded, anyone_may, seeded

TOPIC = "aws.sns.topic"


def seed(account: Account, key_arn: str) -> tuple[str, list[Seeded]]:
    """The alerts topic's ARN, and every topic with what it must fail."""
    sns = account.client("sns")
    alerts = sns.create_topic(
        Name=account.name_of("alerts"), Attributes={"KmsMasterKeyId": key_arn}
    )
    plain = sns.create_topic(Name=account.name_of("newsletter"))
    public = sns.create_topic(
        Name=account.name_of("webhooks"), Attributes={"KmsMasterKeyId": key_arn}
    )
    sns.set_topic_attributes(
        TopicArn=public["TopicArn"],
        AttributeName="Policy",
        AttributeValue=anyone_may("SNS:Publish", public["TopicArn"]),
    )
    return alerts["TopicArn"], [
        seeded(TOPIC, alerts["TopicArn"]),
        seeded(TOPIC, plain["TopicArn"], {"aws-sns-topic-encrypted"}),
        seeded(TOPIC, public["TopicArn"], {"aws-sns-topic-public-policy"}),
    ]
