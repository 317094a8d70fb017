"""Removing public statements from SQS, SNS and Lambda resource policies, against moto."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from pacbot.autofix.fixes import FIXES, AccountAws, ApiCall, Fix, NotReversible, ResourceGone
from pacbot.autofix.fixes.resource_policies import default_topic_policy, without_public

from .conftest import ACCOUNT, REGION, drill, target

Client = Callable[[str], Any]


def _fix(name: str) -> Fix:
    fix = FIXES.get(name)
    assert fix is not None
    return fix


def _statement(sid: str, principal: Any, **extra: Any) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": "*", **extra}


CONDITIONED = _statement(
    "from-sns",
    {"Service": "sns.amazonaws.com"},
    Condition={"ArnEquals": {"aws:SourceArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:orders"}},
)
PUBLIC = _statement("anyone", "*")


# --- the shared rule ----------------------------------------------------------------------


def test_exactly_the_unconditioned_public_statements_are_dropped() -> None:
    kept = [
        CONDITIONED,
        _statement("org", "*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-1"}}),
        {**_statement("deny", "*"), "Effect": "Deny"},
        _statement("account", {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}),
    ]
    dropped = [
        PUBLIC,
        _statement("aws-star", {"AWS": "*"}),
        _statement("aws-list", {"AWS": ["arn:aws:iam::210987654321:root", "*"]}),
        _statement("canonical", {"CanonicalUser": "*"}),
    ]
    document = {"Version": "2012-10-17", "Id": "keep-me", "Statement": [*kept, *dropped]}
    assert without_public(document) == {**document, "Statement": kept}
    assert without_public({"Statement": PUBLIC}) is None


# --- SQS ----------------------------------------------------------------------------------


def _queue(client: Client, name: str, *statements: dict[str, Any]) -> Any:
    sqs = client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    if statements:
        policy = {"Version": "2012-10-17", "Statement": list(statements)}
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"
    return target("aws.sqs.queue", name, arn)


def test_sqs_keeps_the_other_statements(aws: AccountAws, client: Client) -> None:
    where = _queue(client, "mixed", CONDITIONED, PUBLIC)
    fix = _fix("sqs-remove-public-statements")
    backup = drill(fix, aws, where)
    fix.apply(aws, where, backup)
    left = json.loads(fix.read(aws, where)["Policy"])
    assert left == {"Version": "2012-10-17", "Statement": [CONDITIONED]}


def test_sqs_deletes_a_policy_left_empty(aws: AccountAws, client: Client) -> None:
    where = _queue(client, "open", PUBLIC)
    fix = _fix("sqs-remove-public-statements")
    [call] = fix.calls(fix.read(aws, where), where)
    assert call.params["Attributes"] == {"Policy": ""}
    drill(fix, aws, where)
    fix.apply(aws, where, fix.read(aws, where))
    assert fix.read(aws, where)["Policy"] is None


def test_sqs_without_a_policy_needs_nothing(aws: AccountAws, client: Client) -> None:
    where = _queue(client, "private")
    fix = _fix("sqs-remove-public-statements")
    current = fix.read(aws, where)
    assert current["Policy"] is None
    assert fix.calls(current, where) == []


def test_a_deleted_queue_is_gone(aws: AccountAws) -> None:
    with pytest.raises(ResourceGone):
        _fix("sqs-remove-public-statements").read(aws, target("aws.sqs.queue", "nope"))


# --- SNS ----------------------------------------------------------------------------------


def _topic(client: Client, name: str, *statements: dict[str, Any]) -> Any:
    sns = client("sns")
    arn = sns.create_topic(Name=name)["TopicArn"]
    policy = {"Version": "2012-10-17", "Statement": list(statements)}
    sns.set_topic_attributes(
        TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps(policy)
    )
    return target("aws.sns.topic", name, arn)


def test_sns_keeps_the_other_statements(aws: AccountAws, client: Client) -> None:
    where = _topic(client, "mixed", CONDITIONED, PUBLIC)
    fix = _fix("sns-remove-public-statements")
    backup = drill(fix, aws, where)
    fix.apply(aws, where, backup)
    left = json.loads(fix.read(aws, where)["Policy"])
    assert left["Statement"] == [CONDITIONED]


def test_sns_falls_back_to_the_owner_only_default(aws: AccountAws, client: Client) -> None:
    where = _topic(client, "open", PUBLIC)
    fix = _fix("sns-remove-public-statements")
    drill(fix, aws, where)
    fix.apply(aws, where, fix.read(aws, where))
    left = json.loads(fix.read(aws, where)["Policy"])
    assert left == default_topic_policy(where.asset_id, ACCOUNT)


def test_the_default_topic_policy_is_not_public(aws: AccountAws, client: Client) -> None:
    arn = client("sns").create_topic(Name="fresh")["TopicArn"]
    fix = _fix("sns-remove-public-statements")
    where = target("aws.sns.topic", "fresh", arn)
    assert fix.calls(fix.read(aws, where), where) == []


def test_a_deleted_topic_is_gone(aws: AccountAws) -> None:
    where = target("aws.sns.topic", "nope", f"arn:aws:sns:{REGION}:{ACCOUNT}:nope")
    with pytest.raises(ResourceGone):
        _fix("sns-remove-public-statements").read(aws, where)


# --- Lambda -------------------------------------------------------------------------------


def _function(client: Client, name: str) -> Any:
    role = client("iam").create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument="{}")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("handler.py", "def handle(event, context):\n    return None\n")
    created = client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role["Role"]["Arn"],
        Handler="handler.handle",
        Code={"ZipFile": archive.getvalue()},
    )
    return target("aws.lambda.function", name, created["FunctionArn"])


def test_lambda_removes_public_statements_and_re_adds_them(aws: AccountAws, client: Client) -> None:
    where = _function(client, "open-fn")
    lam = client("lambda")
    invoke = {"FunctionName": "open-fn", "Action": "lambda:InvokeFunction"}
    lam.add_permission(StatementId="anyone", Principal="*", **invoke)
    lam.add_permission(
        StatementId="s3invoke",
        Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::uploads",
        **invoke,
    )
    lam.add_permission(
        FunctionName="open-fn",
        StatementId="a-anyone-get",
        Action="lambda:GetFunction",
        Principal="*",
    )
    fix = _fix("lambda-remove-public-statements")
    assert fix.calls(fix.read(aws, where), where) == [
        ApiCall("lambda", "remove_permission", {"FunctionName": "open-fn", "StatementId": sid})
        for sid in ("a-anyone-get", "anyone")
    ]
    drill(fix, aws, where)
    fix.apply(aws, where, fix.read(aws, where))
    left = fix.read(aws, where)["Policy"]["Statement"]
    assert [s["Sid"] for s in left] == ["s3invoke"]


def test_lambda_removing_the_only_statement_leaves_no_policy(
    aws: AccountAws, client: Client
) -> None:
    where = _function(client, "lonely-fn")
    client("lambda").add_permission(
        FunctionName="lonely-fn",
        StatementId="anyone",
        Action="lambda:InvokeFunction",
        Principal="*",
    )
    fix = _fix("lambda-remove-public-statements")
    drill(fix, aws, where)
    fix.apply(aws, where, fix.read(aws, where))
    assert fix.read(aws, where) == {"Policy": None}


def test_lambda_without_a_policy_needs_nothing(aws: AccountAws, client: Client) -> None:
    where = _function(client, "private-fn")
    fix = _fix("lambda-remove-public-statements")
    assert fix.read(aws, where) == {"Policy": None}
    assert fix.calls({"Policy": None}, where) == []


def test_a_deleted_function_is_gone(aws: AccountAws) -> None:
    with pytest.raises(ResourceGone):
        _fix("lambda-remove-public-statements").read(aws, target("aws.lambda.function", "nope"))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"Principal": {"AWS": "*"}}, 'Principal is not "*"'),
        ({"Action": ["lambda:InvokeFunction", "lambda:GetFunction"]}, "not a single action"),
        ({"NotResource": "x"}, "it has NotResource"),
        ({"Resource": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:fn:live"}, "unqualified"),
    ],
)
def test_a_statement_add_permission_cannot_recreate_is_not_reversible(
    change: dict[str, Any], reason: str
) -> None:
    statement = {
        "Sid": "odd",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "lambda:InvokeFunction",
        "Resource": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:fn",
        **change,
    }
    backup = {"Policy": {"Version": "2012-10-17", "Statement": [statement]}}
    fix = _fix("lambda-remove-public-statements")
    where = target("aws.lambda.function", "fn")
    with pytest.raises(NotReversible, match=reason):
        fix.rollback_calls(backup, {"Policy": None}, where)
