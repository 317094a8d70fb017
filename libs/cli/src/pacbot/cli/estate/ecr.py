"""ECR repositories: one immutable, scanned on push, with a lifecycle; one left at defaults."""

from __future__ import annotations

import json

from pacbot.cli.estate._model import Account, Seeded, anyone_may, seeded

REPOSITORY = "aws.ecr.repository"
LIFECYCLE = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "description": "keep the last 50 images",
                "selection": {
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": 50,
                },
                "action": {"type": "expire"},
            }
        ]
    }
)


def seed(account: Account) -> list[Seeded]:
    """Both repositories with what each must fail."""
    ecr = account.client("ecr")
    api = ecr.create_repository(
        repositoryName=account.name_of("api"),
        imageTagMutability="IMMUTABLE",
        imageScanningConfiguration={"scanOnPush": True},
    )["repository"]
    ecr.put_lifecycle_policy(repositoryName=api["repositoryName"], lifecyclePolicyText=LIFECYCLE)
    shared = ecr.create_repository(repositoryName=account.name_of("shared"))["repository"]
    pull = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    ecr.set_repository_policy(
        repositoryName=shared["repositoryName"], policyText=anyone_may(pull, bare=True)
    )
    return [
        seeded(REPOSITORY, api["repositoryArn"]),
        seeded(
            REPOSITORY,
            shared["repositoryArn"],
            {
                "aws-ecr-repository-immutable-tags",
                "aws-ecr-repository-lifecycle-policy",
                "aws-ecr-repository-public-policy",
                "aws-ecr-repository-scan-on-push",
            },
        ),
    ]
