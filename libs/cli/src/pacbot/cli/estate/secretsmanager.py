"""Secrets Manager: a CMK-encrypted secret rotated monthly, and one never rotated."""

from __future__ import annotations

from pacbot.cli.estate._model import Account, Seeded, seeded

SECRET = "aws.secretsmanager.secret"  # noqa: S105 - a resource type


def seed(account: Account, key_arn: str, rotator_arn: str) -> list[Seeded]:
    """Both secrets with what each must fail."""
    sm = account.client("secretsmanager")
    rotated = sm.create_secret(
        Name=account.name_of("db-password"), SecretString="s3cr3t-value", KmsKeyId=key_arn
    )["ARN"]
    sm.rotate_secret(
        SecretId=rotated,
        RotationLambdaARN=rotator_arn,
        RotationRules={"AutomaticallyAfterDays": 30},
    )
    # Rotation runs the function once; like AWS, that creates its log group, left at defaults.
    function = rotator_arn.split(":function:")[1]
    invoked = account.arn("logs", f"log-group:/aws/lambda/{function}")
    stale = sm.create_secret(Name=account.name_of("api-token"), SecretString="t0ken")["ARN"]
    return [
        seeded(SECRET, rotated),
        seeded(
            "aws.logs.log_group",
            invoked,
            {"aws-logs-log-group-kms-encrypted", "aws-logs-log-group-retention-set"},
        ),
        seeded(
            SECRET,
            stale,
            {
                "aws-secretsmanager-secret-cmk-encrypted",
                "aws-secretsmanager-secret-rotation-enabled",
                "aws-secretsmanager-secret-rotated-recently",
            },
        ),
    ]
