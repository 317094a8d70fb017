"""ECS: clusters, task definitions and Fargate services, each hardened and left open.

Services are created with no desired tasks, so nothing runs and no other type appears.
"""

from __future__ import annotations

from typing import Any

from pacbot.cli.estate._model import Account, Seeded, seeded

CLUSTER = "aws.ecs.cluster"
TASK_DEFINITION = "aws.ecs.task_definition"
SERVICE = "aws.ecs.service"

LEGACY_TASK_BREAKS = frozenset(
    {
        "aws-ecs-task-definition-not-privileged",
        "aws-ecs-task-definition-non-root-user",
        "aws-ecs-task-definition-read-only-root",
        "aws-ecs-task-definition-no-secrets-in-environment",
        "aws-ecs-task-definition-logging",
        "aws-ecs-task-definition-host-namespaces",
    }
)


def seed(account: Account, subnets: list[str], group: str) -> list[Seeded]:
    """Both clusters, both task definitions and both services, with what each must fail."""
    ecs = account.client("ecs")
    prod = account.name_of("prod")
    ecs.create_cluster(
        clusterName=prod,
        settings=[{"name": "containerInsights", "value": "enabled"}],
        configuration={
            "executeCommandConfiguration": {
                "logging": "OVERRIDE",
                "logConfiguration": {
                    "cloudWatchLogGroupName": f"/ecs/{prod}/exec",
                    "cloudWatchEncryptionEnabled": True,
                },
            }
        },
        tags=[{"key": "Owner", "value": "platform"}],
    )
    sandbox = account.name_of("sandbox")
    ecs.create_cluster(
        clusterName=sandbox,
        configuration={"executeCommandConfiguration": {"logging": "NONE"}},
    )
    web, legacy = _task_definitions(account)

    def service(name: str, platform: str, public_ip: str, propagate: str) -> str:
        created = ecs.create_service(
            cluster=prod,
            serviceName=account.name_of(name),
            taskDefinition=web,
            desiredCount=0,
            launchType="FARGATE",
            platformVersion=platform,
            propagateTags=propagate,
            tags=[{"key": "Owner", "value": "web"}],
            networkConfiguration={
                "awsvpcConfiguration": {
                    "subnets": subnets,
                    "securityGroups": [group],
                    "assignPublicIp": public_ip,
                }
            },
        )
        return str(created["service"]["serviceArn"])

    return [
        seeded(CLUSTER, account.arn("ecs", f"cluster/{prod}")),
        seeded(
            CLUSTER,
            account.arn("ecs", f"cluster/{sandbox}"),
            {"aws-ecs-cluster-container-insights", "aws-ecs-cluster-exec-logging"},
        ),
        seeded(TASK_DEFINITION, account.arn("ecs", f"task-definition/{web}")),
        seeded(
            TASK_DEFINITION, account.arn("ecs", f"task-definition/{legacy}"), LEGACY_TASK_BREAKS
        ),
        seeded(SERVICE, service("web", "LATEST", "DISABLED", "SERVICE")),
        seeded(
            SERVICE,
            service("legacy-web", "1.3.0", "ENABLED", "NONE"),
            {
                "aws-ecs-service-no-public-ip",
                "aws-ecs-service-fargate-platform-version",
                "aws-ecs-service-propagate-tags",
            },
        ),
    ]


def _task_definitions(account: Account) -> tuple[str, str]:
    """A hardened Fargate task definition and a legacy host-mode one; their family names."""
    ecs = account.client("ecs")
    web = account.name_of("web")
    logging: dict[str, Any] = {
        "logDriver": "awslogs",
        "options": {"awslogs-group": f"/ecs/{web}", "awslogs-region": account.region},
    }
    ecs.register_task_definition(
        family=web,
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[
            {
                "name": "app",
                "image": f"{account.account_id}.dkr.ecr.{account.region}.amazonaws.com/web:1.4.2",
                "memory": 512,
                "user": "1000:1000",
                "privileged": False,
                "readonlyRootFilesystem": True,
                "environment": [{"name": "LOG_LEVEL", "value": "info"}],
                "secrets": [
                    {
                        "name": "DB_PASSWORD",
                        "valueFrom": account.arn("ssm", "parameter/web/db-password"),
                    }
                ],
                "logConfiguration": logging,
            }
        ],
        tags=[{"key": "Owner", "value": "web"}],
    )
    legacy = account.name_of("legacy-worker")
    ecs.register_task_definition(
        family=legacy,
        networkMode="host",
        pidMode="host",
        containerDefinitions=[
            {
                "name": "worker",
                "image": "busybox:1.36",
                "memory": 128,
                "privileged": True,
                "environment": [{"name": "DB_PASSWORD", "value": "not-a-real-password"}],
            }
        ],
    )
    return web, legacy
