"""SQS queues: a work queue with a dead-letter queue, and its broken siblings."""

from __future__ import annotations

import json

from pacbot.cli.estate._model import Account, Seeded, anyone_may, seeded

QUEUE = "aws.sqs.queue"
DEAD_LETTER = "aws-sqs-queue-dead-letter"


def seed(account: Account, key_arn: str) -> tuple[str, list[Seeded]]:
    """The dead-letter queue's ARN (Lambda uses it too), and every queue with its failures."""
    sqs = account.client("sqs")

    def queue(name: str, **attributes: str) -> tuple[str, str]:
        url = sqs.create_queue(QueueName=account.name_of(name), Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        return url, arn

    _, dlq = queue("orders-dlq", KmsMasterKeyId=key_arn)
    redrive = json.dumps({"deadLetterTargetArn": dlq, "maxReceiveCount": 5})
    _, orders = queue("orders", KmsMasterKeyId=key_arn, RedrivePolicy=redrive)
    _, managed = queue("invoices", SqsManagedSseEnabled="true", RedrivePolicy=redrive)
    _, plain = queue("clickstream", SqsManagedSseEnabled="false", RedrivePolicy=redrive)
    public_url, public = queue("inbox", KmsMasterKeyId=key_arn, RedrivePolicy=redrive)
    _, lonely = queue("scratch", KmsMasterKeyId=key_arn)
    sqs.set_queue_attributes(
        QueueUrl=public_url, Attributes={"Policy": anyone_may("sqs:SendMessage", public, bare=True)}
    )
    return dlq, [
        # The end of the redrive chain: it has no dead-letter queue and needs none.
        seeded(QUEUE, dlq),
        seeded(QUEUE, orders),
        seeded(QUEUE, managed),
        seeded(QUEUE, plain, {"aws-sqs-queue-encrypted"}),
        seeded(QUEUE, public, {"aws-sqs-queue-public-policy"}),
        seeded(QUEUE, lonely, {DEAD_LETTER}),
    ]
