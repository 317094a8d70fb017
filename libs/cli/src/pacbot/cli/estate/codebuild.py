"""CodeBuild: a hardened project, one leaking credentials and running privileged, one silent."""

from __future__ import annotations

from typing import Any

from pacbot.cli.estate._model import Account, Seeded, seeded

PROJECT = "aws.codebuild.project"
_IMAGE = "aws/codebuild/standard:7.0"
# AWS's documented example key pair: shaped like real credentials, valid nowhere.
_EXAMPLE_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
_EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # noqa: S105 - AWS docs' example


def _logs(cloudwatch: bool, s3_encrypted: bool | None) -> dict[str, Any]:
    s3: dict[str, Any] = {"status": "DISABLED"}
    if s3_encrypted is not None:
        s3 = {
            "status": "ENABLED",
            "location": "build-logs/x",
            "encryptionDisabled": not s3_encrypted,
        }
    return {"cloudWatchLogs": {"status": "ENABLED" if cloudwatch else "DISABLED"}, "s3Logs": s3}


def seed(account: Account, role_arn: str) -> list[Seeded]:
    """Every project with what it must fail."""
    codebuild = account.client("codebuild")
    repo = f"https://git-codecommit.{account.region}.amazonaws.com/v1/repos/{account.name}"

    def project(name: str, location: str, *, encrypted: bool, **settings: Any) -> str:
        environment = {
            "type": "LINUX_CONTAINER",
            "image": _IMAGE,
            "computeType": "BUILD_GENERAL1_SMALL",
            **settings.pop("environment", {}),
        }
        answer = codebuild.create_project(
            name=account.name_of(name),
            source={
                "type": "BITBUCKET" if "bitbucket" in location else "CODECOMMIT",
                "location": location,
            },
            artifacts={
                "type": "S3",
                "location": "build-artifacts",
                "encryptionDisabled": not encrypted,
            },
            environment=environment,
            serviceRole=role_arn,
            **settings,
        )
        return str(answer["project"]["arn"])

    api = project(
        "api-build",
        repo,
        encrypted=True,
        environment={
            "environmentVariables": [
                {"name": "DB_PASSWORD", "value": "/api/db/password", "type": "PARAMETER_STORE"},
                {"name": "STAGE", "value": "prod", "type": "PLAINTEXT"},
            ]
        },
        logsConfig=_logs(cloudwatch=True, s3_encrypted=True),
        tags=[{"key": "Owner", "value": "platform"}],
    )
    legacy = project(
        "legacy-build",
        "https://deploy:app-password@bitbucket.org/acme/legacy.git",
        encrypted=False,
        environment={
            "privilegedMode": True,
            "environmentVariables": [
                {"name": "AWS_ACCESS_KEY_ID", "value": _EXAMPLE_KEY_ID, "type": "PLAINTEXT"},
                {"name": "AWS_SECRET_ACCESS_KEY", "value": _EXAMPLE_SECRET, "type": "PLAINTEXT"},
            ],
        },
        logsConfig=_logs(cloudwatch=False, s3_encrypted=False),
    )
    silent = project("nightly-report", repo, encrypted=True, logsConfig=_logs(False, None))
    return [
        seeded(PROJECT, api),
        seeded(
            PROJECT,
            legacy,
            {
                "aws-codebuild-project-env-plaintext-credentials",
                "aws-codebuild-project-source-url-credentials",
                "aws-codebuild-project-s3-logs-encrypted",
                "aws-codebuild-project-privileged-mode",
                "aws-codebuild-project-artifacts-encrypted",
            },
        ),
        seeded(PROJECT, silent, {"aws-codebuild-project-logging"}),
    ]
