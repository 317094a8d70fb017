"""Lambda functions: one traced, tagged, with a dead-letter queue; three broken ones."""

from __future__ import annotations

import io
import zipfile

from pacbot.cli.estate._model import Account, Seeded, seeded

FUNCTION = "aws.lambda.function"
DEAD_LETTER = "aws-lambda-function-dead-letter"
TAGS = {"Owner": "payments@acme.example", "Environment": "prod", "Application": "orders"}


def _package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def seed(account: Account, role_arn: str, dead_letter_arn: str) -> list[Seeded]:
    """Every function with what it must fail."""
    client = account.client("lambda")
    code = {"ZipFile": _package()}

    def function(
        name: str,
        breaks: set[str],
        *,
        runtime: str = "python3.12",
        tags: dict[str, str] = TAGS,
        traced: bool = True,
        dead_letter: bool = True,
    ) -> str:
        extra: dict[str, object] = {}
        if dead_letter:
            extra["DeadLetterConfig"] = {"TargetArn": dead_letter_arn}
        arn = client.create_function(
            FunctionName=account.name_of(name),
            Runtime=runtime,
            Role=role_arn,
            Handler="handler.handler",
            Code=code,
            TracingConfig={"Mode": "Active" if traced else "PassThrough"},
            Tags=tags,
            **extra,
        )["FunctionArn"]
        found.append(seeded(FUNCTION, arn, breaks, gaps={DEAD_LETTER}))
        return account.name_of(name)

    found: list[Seeded] = []
    orders = function("orders-api", set())
    client.create_function_url_config(FunctionName=orders, AuthType="AWS_IAM")
    function(
        "legacy-report",
        {
            "aws-lambda-function-deprecated-runtime",
            "aws-lambda-function-tracing",
            DEAD_LETTER,
        },
        runtime="python3.8",
        traced=False,
        dead_letter=False,
    )
    hook = function(
        "webhook", {"aws-lambda-function-public-policy", "aws-lambda-function-url-auth"}
    )
    client.create_function_url_config(FunctionName=hook, AuthType="NONE")
    client.add_permission(
        FunctionName=hook, StatementId="anyone", Action="lambda:InvokeFunction", Principal="*"
    )
    function(
        "sandbox",
        {
            "aws-tagging-lambda-function-mandatory-tags",
            "aws-tagging-lambda-function-environment-value",
        },
        tags={"Owner": "dev@acme.example", "Environment": "Playground"},
    )
    return found
