"""Lambda functions: one traced, tagged, with a dead-letter queue; three broken ones."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from pacbot.cli.estate._model import Account, Seeded, seeded

FUNCTION = "aws.lambda.function"
DEAD_LETTER = "aws-lambda-function-dead-letter"
TAGS = {"Owner": "payments@acme.example", "Environment": "prod", "Application": "orders"}


def _package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def function(
    account: Account,
    name: str,
    role_arn: str,
    *,
    dead_letter_arn: str | None,
    runtime: str = "python3.12",
    tags: dict[str, str] = TAGS,
    traced: bool = True,
) -> str:
    """A function named ``<account name>-<name>``; its ARN (moto drops the dead-letter target)."""
    extra: dict[str, object] = {}
    if dead_letter_arn:
        extra["DeadLetterConfig"] = {"TargetArn": dead_letter_arn}
    arn = account.client("lambda").create_function(
        FunctionName=account.name_of(name),
        Runtime=runtime,
        Role=role_arn,
        Handler="handler.handler",
        Code={"ZipFile": _package()},
        TracingConfig={"Mode": "Active" if traced else "PassThrough"},
        Tags=tags,
        **extra,
    )["FunctionArn"]
    return str(arn)


def seed(account: Account, role_arn: str, dead_letter_arn: str) -> list[Seeded]:
    """Every function with what it must fail."""
    client = account.client("lambda")
    found: list[Seeded] = []

    def one(name: str, breaks: set[str], **options: Any) -> str:
        options.setdefault("dead_letter_arn", dead_letter_arn)
        arn = function(account, name, role_arn, **options)
        found.append(seeded(FUNCTION, arn, breaks, gaps={DEAD_LETTER}))
        return account.name_of(name)

    orders = one("orders-api", set())
    client.create_function_url_config(FunctionName=orders, AuthType="AWS_IAM")
    one(
        "legacy-report",
        {
            "aws-lambda-function-deprecated-runtime",
            "aws-lambda-function-tracing",
            DEAD_LETTER,
        },
        runtime="python3.8",
        traced=False,
        dead_letter_arn=None,
    )
    hook = one("webhook", {"aws-lambda-function-public-policy", "aws-lambda-function-url-auth"})
    client.create_function_url_config(FunctionName=hook, AuthType="NONE")
    client.add_permission(
        FunctionName=hook, StatementId="anyone", Action="lambda:InvokeFunction", Principal="*"
    )
    one(
        "sandbox",
        {
            "aws-tagging-lambda-function-mandatory-tags",
            "aws-tagging-lambda-function-environment-value",
        },
        tags={"Owner": "dev@acme.example", "Environment": "Playground"},
    )
    return found
