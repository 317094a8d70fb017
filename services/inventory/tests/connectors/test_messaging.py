"""SNS topics and SQS queues: a policy open to everyone vs one scoped to the account."""

from __future__ import annotations

import json
from typing import Any

ACCOUNT = "123456789012"


def _policy(resource: str, principal: Any, action: str) -> str:
    statement = {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": resource}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_public_topic_and_account_scoped_encrypted_topic(aws: Any, discover: Any) -> None:
    sns = aws("sns")
    open_arn = sns.create_topic(Name="open-topic")["TopicArn"]
    sns.set_topic_attributes(
        TopicArn=open_arn,
        AttributeName="Policy",
        AttributeValue=_policy(open_arn, "*", "SNS:Publish"),
    )
    closed_arn = sns.create_topic(
        Name="closed-topic",
        Attributes={"KmsMasterKeyId": "alias/aws/sns"},
        Tags=[{"Key": "Owner", "Value": "msg-team@example.com"}],
    )["TopicArn"]
    sns.set_topic_attributes(
        TopicArn=closed_arn,
        AttributeName="Policy",
        AttributeValue=_policy(closed_arn, {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "SNS:Publish"),
    )
    sns.subscribe(
        TopicArn=closed_arn, Protocol="sqs", Endpoint=f"arn:aws:sqs:us-east-1:{ACCOUNT}:x"
    )

    found = discover("aws.sns.topic")

    bad = found[open_arn].config
    good = found[closed_arn]
    assert bad["Policy"]["Statement"][0]["Principal"] == "*"
    assert bad["KmsMasterKeyId"] is None
    assert good.config["Policy"]["Statement"][0]["Principal"] == {
        "AWS": f"arn:aws:iam::{ACCOUNT}:root"
    }
    assert good.config["KmsMasterKeyId"] == "alias/aws/sns"
    assert good.config["Name"] == "closed-topic"
    # moto reports 0 for the counts whatever the subscriptions; real AWS counts them.
    assert isinstance(good.config["SubscriptionsConfirmed"], int)
    assert isinstance(good.config["SubscriptionsPending"], int)
    assert "SubscriptionsDeleted" not in good.config
    assert good.owner == "msg-team@example.com"


def test_public_queue_and_account_scoped_queue_with_dead_letters(aws: Any, discover: Any) -> None:
    sqs = aws("sqs")
    dead_url = sqs.create_queue(QueueName="dead-letters")["QueueUrl"]
    dead_arn = f"arn:aws:sqs:us-east-1:{ACCOUNT}:dead-letters"
    open_arn = f"arn:aws:sqs:us-east-1:{ACCOUNT}:open-queue"
    sqs.create_queue(
        QueueName="open-queue",
        Attributes={
            "Policy": _policy(open_arn, "*", "sqs:SendMessage"),
            "SqsManagedSseEnabled": "false",
        },
    )
    closed_arn = f"arn:aws:sqs:us-east-1:{ACCOUNT}:closed-queue"
    sqs.create_queue(
        QueueName="closed-queue",
        Attributes={
            "Policy": _policy(closed_arn, {"AWS": ACCOUNT}, "sqs:SendMessage"),
            "KmsMasterKeyId": "alias/aws/sqs",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dead_arn, "maxReceiveCount": 5}),
        },
        tags={"Owner": "msg-team@example.com"},
    )
    sqs.send_message(QueueUrl=dead_url, MessageBody="volatile")

    found = discover("aws.sqs.queue")

    bad = found[open_arn].config
    good = found[closed_arn]
    assert bad["Policy"]["Statement"][0]["Principal"] == "*"
    assert (bad["SqsManagedSseEnabled"], bad["KmsMasterKeyId"]) == (False, None)
    assert bad["RedrivePolicy"] is None
    assert good.config["Policy"]["Statement"][0]["Principal"] == {"AWS": ACCOUNT}
    assert good.config["KmsMasterKeyId"] == "alias/aws/sqs"
    assert good.config["RedrivePolicy"]["deadLetterTargetArn"] == dead_arn
    assert good.config["QueueName"] == "closed-queue"
    assert good.owner == "msg-team@example.com"
    assert not any(k.startswith("Approximate") for k in found[dead_arn].config)
    assert found[dead_arn].config["DeadLetterSourceQueues"] == ["closed-queue"]
    assert good.config["DeadLetterSourceQueues"] == []
