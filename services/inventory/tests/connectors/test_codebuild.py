"""CodeBuild projects through the connector: a hardened project vs one leaking credentials."""

from __future__ import annotations

import json
from typing import Any

from pacbot.inventory.connectors.codebuild import redacted_location

ROLE = "arn:aws:iam::123456789012:role/codebuild"
IMAGE = "aws/codebuild/standard:7.0"


def _environment(variables: list[dict[str, str]], privileged: bool = False) -> dict[str, Any]:
    return {
        "type": "LINUX_CONTAINER",
        "image": IMAGE,
        "computeType": "BUILD_GENERAL1_SMALL",
        "environmentVariables": variables,
        **({"privilegedMode": True} if privileged else {}),  # unset reads as false
    }


def test_hardened_project_and_leaky_project(aws: Any, discover: Any) -> None:
    codebuild = aws("codebuild")

    def project(name: str, source: dict[str, str], encrypted: bool, **settings: Any) -> None:
        codebuild.create_project(
            name=name,
            source=source,
            artifacts={"type": "S3", "location": "artifacts", "encryptionDisabled": not encrypted},
            serviceRole=ROLE,
            **settings,
        )

    project(
        "api-build",
        {
            "type": "CODECOMMIT",
            "location": "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/api",
        },
        True,
        environment=_environment(
            [
                {"name": "DB_PASSWORD", "value": "/api/db/password", "type": "PARAMETER_STORE"},
                {"name": "STAGE", "value": "prod", "type": "PLAINTEXT"},
            ]
        ),
        logsConfig={"cloudWatchLogs": {"status": "ENABLED"}, "s3Logs": {"status": "DISABLED"}},
        tags=[{"key": "Owner", "value": "platform"}],
    )
    project(
        "legacy-build",
        {
            "type": "BITBUCKET",
            "location": "https://deploy:s3cr3t-app-password@bitbucket.org/acme/legacy.git",
            "buildspec": "version: 0.2\nphases:\n  build:\n    commands: [make]\n",
        },
        False,
        environment=_environment(
            [
                {"name": "AWS_ACCESS_KEY_ID", "value": "AKIAIOSFODNN7EXAMPLE", "type": "PLAINTEXT"},
                {
                    "name": "DEPLOY_KEY",
                    "value": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                    "type": "PLAINTEXT",
                },
            ],
            privileged=True,
        ),
        logsConfig={
            "cloudWatchLogs": {"status": "DISABLED"},
            "s3Logs": {"status": "ENABLED", "location": "logs/legacy", "encryptionDisabled": True},
        },
    )

    found = {a.name: a for a in discover("aws.codebuild.project").values()}

    good = found["api-build"]
    assert good.asset_id == "arn:aws:codebuild:us-east-1:123456789012:project/api-build"
    assert good.owner == "platform"
    assert good.config["source"]["locationHasCredentials"] is False
    assert good.config["environment"]["privilegedMode"] is False
    assert good.config["environment"]["environmentVariables"] == [
        {"name": "DB_PASSWORD", "type": "PARAMETER_STORE", "value": "/api/db/password"},
        {"name": "STAGE", "type": "PLAINTEXT", "valueLooksLikeAwsKey": False},
    ]
    assert good.config["logsConfig"]["cloudWatchLogs"]["status"] == "ENABLED"
    bad = found["legacy-build"].config
    text = json.dumps(bad)
    for secret in ("s3cr3t-app-password", "AKIAIOSFODNN7EXAMPLE", "bPxRfiCYEXAMPLEKEY", "make"):
        assert secret not in text  # no secret (or inline build code) is ever stored
    assert bad["source"]["location"] == "https://REDACTED@bitbucket.org/acme/legacy.git"
    assert bad["source"]["locationHasCredentials"] is True
    assert bad["source"]["buildspecInline"] is True
    assert bad["environment"]["privilegedMode"] is True
    assert [v["valueLooksLikeAwsKey"] for v in bad["environment"]["environmentVariables"]] == [
        True,
        True,
    ]
    assert bad["artifacts"]["encryptionDisabled"] is True
    assert bad["logsConfig"]["s3Logs"]["encryptionDisabled"] is True
    assert bad["Tags"] == {}


def test_redacted_location_keeps_urls_without_user_info() -> None:
    assert redacted_location("https://github.com/acme/app.git") == (
        "https://github.com/acme/app.git",
        False,
    )
    assert redacted_location("https://x-token-auth:tok@bitbucket.org/a/b") == (
        "https://REDACTED@bitbucket.org/a/b",
        True,
    )
    assert redacted_location("build-bucket/source.zip") == ("build-bucket/source.zip", False)
    assert redacted_location(None) == (None, False)
