"""Fixes that remove public statements from SQS queue, SNS topic and Lambda function policies.

"Public" is the assessor's rule (``iam-policy-public-principal``), shared through
``pacbot.common.iam_documents``: an Allow statement whose principal is everyone ("*", AWS "*" or
CanonicalUser "*") and that has no Condition. Exactly those statements are removed; every other
statement, and the document's other fields, stay as they were.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from pacbot.autofix.fixes._base import (
    AccountAws,
    ApiCall,
    Fix,
    FixTarget,
    NotReversible,
    ResourceGone,
    error_code,
)
from pacbot.autofix.fixes._registry import FIXES
from pacbot.common.iam_documents import is_public_statement, statements


def public_statements(document: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The statements of ``document`` that grant access to everyone."""
    return [s for s in statements(document or {}) if is_public_statement(s)]


def without_public(document: dict[str, Any]) -> dict[str, Any] | None:
    """``document`` minus its public statements; None when no statement is left."""
    kept = [s for s in statements(document) if not is_public_statement(s)]
    return {**document, "Statement": kept} if kept else None


def _parsed(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    document: dict[str, Any] = json.loads(text)
    return document


# --- SQS ----------------------------------------------------------------------------------

_QUEUE_GONE = ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")


def _set_queue_policy(url: str, text: str) -> ApiCall:
    params = {"QueueUrl": url, "Attributes": {"Policy": text}}
    return ApiCall("sqs", "set_queue_attributes", params)


@FIXES.register
class SqsRemovePublicStatements(Fix):
    """Removes the public statements of a queue policy; an empty string deletes the policy
    when none is left (SetQueueAttributes accepts that). Rollback puts the old text back."""

    name = "sqs-remove-public-statements"
    resource_type = "aws.sqs.queue"
    policies = ("aws-sqs-queue-public-policy",)
    read_permissions = ("sqs:GetQueueUrl", "sqs:GetQueueAttributes")
    write_permissions = ("sqs:SetQueueAttributes",)
    reversible = True
    backs_up = "the queue URL and the queue policy's exact text (null when it had none)"
    verifies = "reads the queue policy back and requires no public statement in it"
    description = "Remove the statements that make the SQS queue policy public"

    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """The queue's URL and policy text."""
        sqs = aws.client("sqs")
        try:
            url: str = sqs.get_queue_url(
                QueueName=target.name, QueueOwnerAWSAccountId=target.account_id
            )["QueueUrl"]
            found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
        except ClientError as exc:
            if error_code(exc) in _QUEUE_GONE:
                raise ResourceGone(f"queue {target.name} no longer exists") from exc
            raise
        return {"QueueUrl": url, "Policy": found.get("Attributes", {}).get("Policy") or None}

    def is_compliant(self, current: dict[str, Any], target: FixTarget) -> bool:
        """The policy has no public statement."""
        return not public_statements(_parsed(current.get("Policy")))

    def calls(self, current: dict[str, Any], target: FixTarget) -> list[ApiCall]:
        """One SetQueueAttributes with the policy minus its public statements."""
        document = _parsed(current.get("Policy"))
        if document is None or not public_statements(document):
            return []
        kept = without_public(document)
        text = json.dumps(kept) if kept else ""
        return [_set_queue_policy(current["QueueUrl"], text)]

    def rollback_calls(
        self, backup: dict[str, Any], current: dict[str, Any], target: FixTarget
    ) -> list[ApiCall]:
        """Set the backed-up policy text again (an empty string when there was none)."""
        if backup.get("Policy") == current.get("Policy"):
            return []
        return [_set_queue_policy(current["QueueUrl"], backup.get("Policy") or "")]


# --- SNS ----------------------------------------------------------------------------------

_TOPIC_GONE = ("NotFound", "NotFoundException", "ResourceNotFound", "ResourceNotFoundException")
_DEFAULT_ACTIONS = [
    "SNS:GetTopicAttributes",
    "SNS:SetTopicAttributes",
    "SNS:AddPermission",
    "SNS:RemovePermission",
    "SNS:DeleteTopic",
    "SNS:Subscribe",
    "SNS:ListSubscriptionsByTopic",
    "SNS:Publish",
]


def topic_arn(target: FixTarget) -> str:
    """The topic's ARN: the asset id, or one built from the name."""
    if target.asset_id.startswith("arn:"):
        return target.asset_id
    return f"arn:aws:sns:{target.region}:{target.account_id}:{target.name}"


def default_topic_policy(arn: str, account_id: str) -> dict[str, Any]:
    """The policy SNS gives a new topic: its owner account only."""
    return {
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [
            {
                "Sid": "__default_statement_ID",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": list(_DEFAULT_ACTIONS),
                "Resource": arn,
                "Condition": {"StringEquals": {"AWS:SourceOwner": account_id}},
            }
        ],
    }


def _set_topic_policy(arn: str, text: str) -> ApiCall:
    params = {"TopicArn": arn, "AttributeName": "Policy", "AttributeValue": text}
    return ApiCall("sns", "set_topic_attributes", params)


@FIXES.register
class SnsRemovePublicStatements(Fix):
    """Removes the public statements of a topic policy; rollback puts the old text back.

    A topic always has a policy, so when no statement is left the topic gets the one SNS gives
    a new topic (the owner account only, by ``AWS:SourceOwner``).
    """

    name = "sns-remove-public-statements"
    resource_type = "aws.sns.topic"
    policies = ("aws-sns-topic-public-policy",)
    read_permissions = ("sns:GetTopicAttributes",)
    write_permissions = ("sns:SetTopicAttributes",)
    reversible = True
    backs_up = "the topic policy's exact text"
    verifies = "reads the topic policy back and requires no public statement in it"
    description = "Remove the statements that make the SNS topic policy public"

    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """The topic's policy text."""
        try:
            found = aws.client("sns").get_topic_attributes(TopicArn=topic_arn(target))
        except ClientError as exc:
            if error_code(exc) in _TOPIC_GONE:
                raise ResourceGone(f"topic {topic_arn(target)} no longer exists") from exc
            raise
        return {"Policy": found.get("Attributes", {}).get("Policy") or None}

    def is_compliant(self, current: dict[str, Any], target: FixTarget) -> bool:
        """The policy has no public statement."""
        return not public_statements(_parsed(current.get("Policy")))

    def calls(self, current: dict[str, Any], target: FixTarget) -> list[ApiCall]:
        """One SetTopicAttributes with the policy minus its public statements."""
        document = _parsed(current.get("Policy"))
        if document is None or not public_statements(document):
            return []
        arn = topic_arn(target)
        kept = without_public(document) or default_topic_policy(arn, target.account_id)
        return [_set_topic_policy(arn, json.dumps(kept))]

    def rollback_calls(
        self, backup: dict[str, Any], current: dict[str, Any], target: FixTarget
    ) -> list[ApiCall]:
        """Set the backed-up policy text again (nothing to undo when the backup had none)."""
        old = backup.get("Policy")
        if old is None or old == current.get("Policy"):
            return []
        return [_set_topic_policy(topic_arn(target), old)]


# --- Lambda -------------------------------------------------------------------------------

# What AddPermission writes for Principal "*" with no condition argument: nothing else.
_PLAIN_KEYS = frozenset({"Sid", "Effect", "Principal", "Action", "Resource"})


def _unfaithful(statement: dict[str, Any], function: str) -> list[str]:
    """Why AddPermission could not write ``statement`` back exactly (empty when it could)."""
    problems = []
    extra = sorted(set(statement) - _PLAIN_KEYS)
    if extra:
        problems.append(f"it has {', '.join(extra)}")
    if not isinstance(statement.get("Sid"), str):
        problems.append("it has no Sid")
    if statement.get("Principal") != "*":
        problems.append('its Principal is not "*"')
    if not isinstance(statement.get("Action"), str):
        problems.append("its Action is not a single action")
    if not str(statement.get("Resource", "")).endswith(f":function:{function}"):
        problems.append("its Resource is not the unqualified function")
    return problems


def add_permission_args(statement: dict[str, Any], function: str) -> dict[str, Any]:
    """The AddPermission arguments that recreate a public statement exactly.

    Raises NotReversible for a statement AddPermission would not write back the same.
    """
    problems = _unfaithful(statement, function)
    if problems:
        raise NotReversible(
            f"statement {statement.get('Sid')!r} of {function} cannot be re-added by "
            f"AddPermission: {'; '.join(problems)}"
        )
    return {
        "FunctionName": function,
        "StatementId": statement["Sid"],
        "Action": statement["Action"],
        "Principal": "*",
    }


@FIXES.register
class LambdaRemovePublicStatements(Fix):
    """Removes the public statements of a function policy (RemovePermission by Sid); rollback
    re-adds them with AddPermission, or refuses when one could not be recreated exactly."""

    name = "lambda-remove-public-statements"
    resource_type = "aws.lambda.function"
    policies = ("aws-lambda-function-public-policy",)
    read_permissions = ("lambda:GetPolicy",)
    write_permissions = ("lambda:RemovePermission", "lambda:AddPermission")
    reversible = True
    backs_up = "the function's resource policy, statements ordered by Sid (null when none)"
    verifies = "reads the function policy back and requires no public statement in it"
    description = "Remove the statements that let anyone invoke or manage the Lambda function"

    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """The function's resource policy, statements sorted by Sid; null when it has none."""
        try:
            found = aws.client("lambda").get_policy(FunctionName=target.name)
        except ClientError as exc:
            if error_code(exc) != "ResourceNotFoundException":
                raise
            if "Function not found" in str(exc):
                raise ResourceGone(f"function {target.name} no longer exists") from exc
            return {"Policy": None}
        document: dict[str, Any] = json.loads(found["Policy"])
        ordered = sorted(statements(document), key=lambda s: str(s.get("Sid")))
        return {"Policy": {**document, "Statement": ordered}}

    def is_compliant(self, current: dict[str, Any], target: FixTarget) -> bool:
        """The policy has no public statement."""
        return not public_statements(current.get("Policy"))

    def calls(self, current: dict[str, Any], target: FixTarget) -> list[ApiCall]:
        """One RemovePermission per public statement, by its Sid."""
        planned = []
        for statement in public_statements(current.get("Policy")):
            sid = statement.get("Sid")
            if not isinstance(sid, str):
                raise ValueError(f"a public statement of {target.name} has no Sid to remove")
            params = {"FunctionName": target.name, "StatementId": sid}
            planned.append(ApiCall("lambda", "remove_permission", params))
        return planned

    def rollback_calls(
        self, backup: dict[str, Any], current: dict[str, Any], target: FixTarget
    ) -> list[ApiCall]:
        """AddPermission for each backed-up public statement that is no longer there."""
        if backup.get("Policy") == current.get("Policy"):
            return []
        present = {s.get("Sid") for s in statements(current.get("Policy") or {})}
        missing = [
            s for s in public_statements(backup.get("Policy")) if s.get("Sid") not in present
        ]
        return [
            ApiCall("lambda", "add_permission", add_permission_args(s, target.name))
            for s in missing
        ]
