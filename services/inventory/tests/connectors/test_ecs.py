"""ECS clusters, task definitions and services through their connectors: hardened vs open."""

from __future__ import annotations

from typing import Any

HARDENED_CONTAINER = {
    "name": "app",
    "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.4.2",
    "memory": 256,
    "user": "1000:1000",
    "privileged": False,
    "readonlyRootFilesystem": True,
    "environment": [{"name": "LOG_LEVEL", "value": "info"}],
    "secrets": [
        {"name": "DB_PASSWORD", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/db"}
    ],
    "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web"}},
}


def _network(aws: Any) -> tuple[str, str]:
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.5.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.5.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    return subnet, group


def _hardened_task_definition(ecs: Any) -> None:
    ecs.register_task_definition(
        family="web",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[HARDENED_CONTAINER],
        tags=[{"key": "Owner", "value": "web"}],
    )


def test_clusters_with_and_without_container_insights(aws: Any, discover: Any) -> None:
    ecs = aws("ecs")
    ecs.create_cluster(
        clusterName="prod",
        settings=[{"name": "containerInsights", "value": "enabled"}],
        tags=[{"key": "Owner", "value": "platform"}],
    )
    ecs.create_cluster(
        clusterName="sandbox", configuration={"executeCommandConfiguration": {"logging": "NONE"}}
    )

    found = {a.name: a for a in discover("aws.ecs.cluster").values()}

    assert found["prod"].asset_id == "arn:aws:ecs:us-east-1:123456789012:cluster/prod"
    assert found["prod"].config["containerInsights"] == "enabled"
    assert found["prod"].owner == "platform"
    assert "runningTasksCount" not in found["prod"].config
    assert found["sandbox"].config["containerInsights"] in {None, "disabled"}
    assert found["sandbox"].config["configuration"] == {
        "executeCommandConfiguration": {"logging": "NONE"}
    }


def test_latest_active_task_definition_keeps_environment_names_only(
    aws: Any, discover: Any
) -> None:
    ecs = aws("ecs")
    _hardened_task_definition(ecs)
    for image in ("busybox:1.35", "busybox:1.36"):  # two revisions: the latest is described
        ecs.register_task_definition(
            family="legacy",
            networkMode="host",
            pidMode="host",
            containerDefinitions=[
                {
                    "name": "worker",
                    "image": image,
                    "memory": 128,
                    "privileged": True,
                    "environment": [{"name": "DB_PASSWORD", "value": "hunter2"}],
                }
            ],
        )
    ecs.register_task_definition(
        family="retired", containerDefinitions=[{"name": "x", "image": "busybox", "memory": 64}]
    )
    ecs.deregister_task_definition(taskDefinition="retired:1")

    found = {a.name: a for a in discover("aws.ecs.task_definition").values()}

    assert set(found) == {"web", "legacy"}
    web, legacy = found["web"], found["legacy"]
    assert web.asset_id == "arn:aws:ecs:us-east-1:123456789012:task-definition/web"
    assert web.owner == "web"
    [app] = web.config["containerDefinitions"]
    assert app["user"] == "1000:1000"
    assert app["readonlyRootFilesystem"] is True
    assert app["environmentVariableNames"] == ["LOG_LEVEL"]
    assert "environment" not in app
    assert app["secrets"][0]["valueFrom"].startswith("arn:aws:ssm:")
    assert legacy.config["revision"] == 2
    assert legacy.config["taskDefinitionArn"].endswith("task-definition/legacy:2")
    assert legacy.config["pidMode"] == "host"
    [worker] = legacy.config["containerDefinitions"]
    assert worker["image"] == "busybox:1.36"
    assert worker["privileged"] is True
    assert worker["environmentVariableNames"] == ["DB_PASSWORD"]
    assert "hunter2" not in str(legacy.config)


def test_private_service_on_latest_platform_vs_public_ip_on_old_platform(
    aws: Any, discover: Any
) -> None:
    ecs = aws("ecs")
    subnet, group = _network(aws)
    ecs.create_cluster(clusterName="prod")
    _hardened_task_definition(ecs)
    for name, platform, public, propagate in (
        ("web", "LATEST", "DISABLED", "SERVICE"),
        ("legacy", "1.3.0", "ENABLED", "NONE"),
    ):
        ecs.create_service(
            cluster="prod",
            serviceName=name,
            taskDefinition="web",
            desiredCount=0,
            launchType="FARGATE",
            platformVersion=platform,
            propagateTags=propagate,
            networkConfiguration={
                "awsvpcConfiguration": {
                    "subnets": [subnet],
                    "securityGroups": [group],
                    "assignPublicIp": public,
                }
            },
            tags=[{"key": "Owner", "value": "web"}],
        )

    found = {a.name: a for a in discover("aws.ecs.service").values()}

    web, legacy = found["web"], found["legacy"]
    assert web.asset_id == "arn:aws:ecs:us-east-1:123456789012:service/prod/web"
    assert web.owner == "web"
    assert web.config["platformVersion"] == "LATEST"
    assert web.config["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == (
        "DISABLED"
    )
    assert "deployments" not in web.config
    assert "desiredCount" not in web.config
    assert web.config["propagateTags"] == "SERVICE"
    assert legacy.config["propagateTags"] == "NONE"
    assert legacy.config["platformVersion"] == "1.3.0"
    assert legacy.config["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == (
        "ENABLED"
    )
