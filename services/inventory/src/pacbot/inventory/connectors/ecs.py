"""ECS clusters, task definitions (latest active revision per family) and services."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from pacbot.inventory.connectors._aws import error_code, flatten_tags, paginate, plain
from pacbot.inventory.connectors._listing import canonical, sort_lists
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

_CLUSTER_BATCH = 100  # DescribeClusters takes at most 100 clusters per call
_SERVICE_BATCH = 10  # DescribeServices takes at most 10 services per call
# Counters and runtime state move on their own; none of them is configuration.
_CLUSTER_RUNTIME = frozenset(
    {
        "registeredContainerInstancesCount",
        "runningTasksCount",
        "pendingTasksCount",
        "activeServicesCount",
        "statistics",
        "attachments",
        "attachmentsStatus",
        "tags",
    }
)
_SERVICE_RUNTIME = frozenset(
    {"desiredCount", "runningCount", "pendingCount", "deployments", "events", "taskSets", "tags"}
)


def _asset(arn: str, name: str, scope: Scope, config: dict[str, Any]) -> DiscoveredAsset:
    return DiscoveredAsset(
        asset_id=arn, name=name, region=scope.region, config=config, tags=config["Tags"]
    )


def cluster_config(cluster: dict[str, Any]) -> dict[str, Any]:
    """The cluster without counters; ``containerInsights`` is its setting's value (or null)."""
    item: dict[str, Any] = plain({k: v for k, v in cluster.items() if k not in _CLUSTER_RUNTIME})
    settings = {s["name"]: s.get("value") for s in cluster.get("settings", [])}
    return {
        **sort_lists(item, "settings", "capacityProviders"),
        "containerInsights": settings.get("containerInsights"),
        "Tags": flatten_tags(cluster.get("tags")),
    }


@connector(
    "aws.ecs.cluster",
    service="ecs",
    scope="regional",
    permissions=("ecs:ListClusters", "ecs:DescribeClusters"),
    id_field="clusterArn",
    name_field="clusterName",
    custodian=("ecs",),
)
class EcsClusterConnector(Connector):
    """ECS clusters with settings, configuration and tags (DescribeClusters, 100 per call)."""

    config_shape = ConfigShape(api=("ecs", "Cluster"), attributes=("Tags", "containerInsights"))

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every cluster of the region, fully described."""
        return _clusters(scope.client("ecs"))

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The described cluster, normalised."""
        config = cluster_config(resource)
        return _asset(config["clusterArn"], config["clusterName"], scope, config)


def _clusters(ecs: Any) -> list[dict[str, Any]]:
    """Every active cluster of the region, described with settings, configurations and tags."""
    arns = paginate(ecs, "list_clusters", "clusterArns")
    clusters: list[dict[str, Any]] = []
    for start in range(0, len(arns), _CLUSTER_BATCH):
        answer = ecs.describe_clusters(
            clusters=arns[start : start + _CLUSTER_BATCH],
            include=["SETTINGS", "CONFIGURATIONS", "TAGS"],
        )
        clusters += [c for c in answer.get("clusters", []) if c.get("status") != "INACTIVE"]
    return clusters


def _container(container: dict[str, Any]) -> dict[str, Any]:
    """A container definition whose environment keeps the variable names, never the values."""
    item = {k: v for k, v in container.items() if k != "environment"}
    names = sorted(str(e["name"]) for e in container.get("environment", []) if "name" in e)
    return {
        **sort_lists(item, "secrets", "portMappings", "mountPoints", "volumesFrom"),
        "environmentVariableNames": names,
    }


def task_definition_config(
    definition: dict[str, Any], tags: list[dict[str, Any]], arn: str
) -> dict[str, Any]:
    """The latest active revision, environment values left out (they often hold secrets)."""
    item: dict[str, Any] = plain(definition)
    containers = [_container(c) for c in item.pop("containerDefinitions", [])]
    return {
        "Arn": arn,
        **sort_lists(item, "volumes", "placementConstraints", "requiresAttributes"),
        "containerDefinitions": sorted(containers, key=lambda c: str(c.get("name"))),
        "Tags": flatten_tags(tags),
    }


@connector(
    "aws.ecs.task_definition",
    service="ecs",
    scope="regional",
    permissions=("ecs:ListTaskDefinitionFamilies", "ecs:DescribeTaskDefinition"),
    id_field="Arn",
    name_field="family",
    custodian=("ecs-task-definition",),
)
class EcsTaskDefinitionConnector(Connector):
    """The latest active revision of every task definition family.

    The asset id is the family's ARN (``…:task-definition/<family>``), so a new revision is a
    change of the same asset; ``taskDefinitionArn`` names the revision described. Environment
    variables keep their names only.
    """

    config_shape = ConfigShape(api=("ecs", "TaskDefinition"), attributes=("Arn", "Tags"))

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Families with an active revision."""
        ecs = scope.client("ecs")
        families = paginate(ecs, "list_task_definition_families", "families", status="ACTIVE")
        return [{"family": f} for f in sorted(set(families))]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """DescribeTaskDefinition by family; None when the family has no active revision left."""
        family: str = resource["family"]
        try:
            answer = scope.client("ecs").describe_task_definition(
                taskDefinition=family, include=["TAGS"]
            )
        except ClientError as exc:
            message = str(exc.response.get("Error", {}).get("Message", ""))
            if error_code(exc) == "ClientException" and "Unable to describe" in message:
                return None
            raise
        definition = answer["taskDefinition"]
        if definition.get("status") != "ACTIVE":
            return None
        arn = definition["taskDefinitionArn"].rsplit(":", 1)[0]
        config = task_definition_config(definition, answer.get("tags", []), arn)
        return _asset(arn, family, scope, config)


def service_config(service: dict[str, Any]) -> dict[str, Any]:
    """The service without its runtime state (counts, deployments, events, task sets)."""
    item: dict[str, Any] = plain({k: v for k, v in service.items() if k not in _SERVICE_RUNTIME})
    network = item.get("networkConfiguration", {}).get("awsvpcConfiguration")
    if network is not None:
        item["networkConfiguration"] = {
            "awsvpcConfiguration": sort_lists(network, "subnets", "securityGroups")
        }
    return {
        **sort_lists(item, "loadBalancers", "serviceRegistries", "placementConstraints"),
        "capacityProviderStrategy": canonical(item.get("capacityProviderStrategy")),
        "Tags": flatten_tags(service.get("tags")),
    }


@connector(
    "aws.ecs.service",
    service="ecs",
    scope="regional",
    permissions=(
        "ecs:ListClusters",
        "ecs:DescribeClusters",
        "ecs:ListServices",
        "ecs:DescribeServices",
    ),
    id_field="serviceArn",
    name_field="serviceName",
    custodian=("ecs-service",),
)
class EcsServiceConnector(Connector):
    """ECS services of every cluster: launch type, platform version, network, load balancers.

    Listed per cluster (ListServices), described 10 at a time with tags; desired and running
    counts, deployments and events are runtime state and left out.
    """

    config_shape = ConfigShape(api=("ecs", "Service"), attributes=("Tags",))

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every service of every active cluster, fully described."""
        ecs = scope.client("ecs")
        services: list[dict[str, Any]] = []
        for cluster in _clusters(ecs):
            arn = cluster["clusterArn"]
            listed = paginate(ecs, "list_services", "serviceArns", cluster=arn)
            for start in range(0, len(listed), _SERVICE_BATCH):
                answer = ecs.describe_services(
                    cluster=arn, services=listed[start : start + _SERVICE_BATCH], include=["TAGS"]
                )
                services += [s for s in answer.get("services", []) if s.get("status") != "INACTIVE"]
        return services

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The described service, normalised."""
        config = service_config(resource)
        return _asset(config["serviceArn"], config["serviceName"], scope, config)
