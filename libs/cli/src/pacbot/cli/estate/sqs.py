"""SQS queues: a work queue with a dead-letter queue, and its broken siblings."""

from __future__ import annotations

import json

from pacbot.cli.estate._model import Account, Seeded, anyone_may, seeded

QUEUE = "aws.sqs.queue"
DEAD_LETTER = "aws-sqs-queue-dead-letter"


def queue(
    account: Account, name: str, tags: dict[str, str] | None = None, **attributes: str
) -> tuple[str, str]:
    """A queue named ``<account name>-<name>`` with ``attributes``: its URL and ARN."""
    sqs = account.client("sqs")
    url = sqs.create_queue(QueueName=account.name_of(name), Attributes=attributes, tags=tags or {})[
        "QueueUrl"
    ]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return str(url), str(arn)


def redrive_to(dead_letter_arn: str) -> str:
    """A redrive policy sending a message to ``dead_letter_arn`` after five receives."""
    return json.dumps({"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": 5})


def open_to_anyone(account: Account, url: str, arn: str) -> None:
    """Let every principal send to the queue, with no condition."""
    account.client("sqs").set_queue_attributes(
        QueueUrl=url, Attributes={"Policy": anyone_may("sqs:SendMessage", arn, bare=True)}
    )


def seed(account: Account, key_arn: str) -> tuple[str, list[Seeded]]:
    """The dead-letter queue's ARN (Lambda uses it too), and every queue with its failures."""
    _, dlq = queue(account, "orders-dlq", KmsMasterKeyId=key_arn)
    redrive = redrive_to(dlq)
    _, orders = queue(account, "orders", KmsMasterKeyId=key_arn, RedrivePolicy=redrive)
    _, managed = queue(account, "invoices", SqsManagedSseEnabled="true", RedrivePolicy=redrive)
    _, plain = queue(account, "clickstream", SqsManagedSseEnabled="false", RedrivePolicy=redrive)
    public_url, public = queue(account, "inbox", KmsMasterKeyId=key_arn, RedrivePolicy=redrive)
    _, lonely = queue(account, "scratch", KmsMasterKeyId=key_arn)
    open_to_anyone(account, public_url, public)
    return dlq, [
        # The end of the redrive chain: it has no dead-letter queue and needs none.
        seeded(QUEUE, dlq),
        seeded(QUEUE, orders),
        seeded(QUEUE, managed),
        seeded(QUEUE, plain, {"aws-sqs-queue-encrypted"}),
        seeded(QUEUE, public, {"aws-sqs-queue-public-policy"}),
        seeded(QUEUE, lonely, {DEAD_LETTER}),
    ]
