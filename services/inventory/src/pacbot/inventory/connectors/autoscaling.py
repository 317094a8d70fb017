"""EC2 Auto Scaling groups: health checks, zones, launch source and what their instances inherit."""

from __future__ import annotations

from typing import Any

from pacbot.inventory.connectors._aws import flatten_tags, optional, paginate, plain
from pacbot.inventory.connectors._listing import sort_lists
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

# Instance membership and the current desired/predicted capacity move with scaling, not config.
_DROPPED = frozenset(
    {
        "Instances",
        "DesiredCapacity",
        "PredictedCapacity",
        "Status",
        "Tags",
        "WarmPoolSize",
        "LaunchMetadata",
    }
)
_UNORDERED = (
    "AvailabilityZones",
    "LoadBalancerNames",
    "TargetGroupARNs",
    "SuspendedProcesses",
    "EnabledMetrics",
    "TrafficSources",
)
_TEMPLATE_GONE = (
    "InvalidLaunchTemplateId.NotFound",
    "InvalidLaunchTemplateName.NotFoundException",
    "InvalidLaunchTemplateId.VersionNotFound",
    "InvalidLaunchTemplateId.Malformed",
)
_CONFIGURATION_BATCH = 50  # DescribeLaunchConfigurations takes at most 50 names per call


def launch_template_of(group: dict[str, Any]) -> dict[str, Any] | None:
    """The launch template specification a group launches from (directly or mixed), if any."""
    direct = group.get("LaunchTemplate")
    if direct:
        return dict(direct)
    mixed = (group.get("MixedInstancesPolicy") or {}).get("LaunchTemplate") or {}
    spec = mixed.get("LaunchTemplateSpecification")
    return dict(spec) if spec else None


def _template_data(ec2: Any, spec: dict[str, Any]) -> dict[str, Any] | None:
    """LaunchTemplateData of the template version the group launches; None when it is gone."""
    target = (
        {"LaunchTemplateId": spec["LaunchTemplateId"]}
        if spec.get("LaunchTemplateId")
        else {"LaunchTemplateName": spec["LaunchTemplateName"]}
    )
    answer = optional(
        ec2.describe_launch_template_versions,
        missing=_TEMPLATE_GONE,
        Versions=[str(spec.get("Version") or "$Default")],
        **target,
    )
    versions = (answer or {}).get("LaunchTemplateVersions", [])
    return dict(versions[0].get("LaunchTemplateData") or {}) if versions else None


def launch_settings(source: dict[str, Any] | None) -> dict[str, Any]:
    """What instances inherit from a launch template version's data or a launch configuration.

    ``InstanceMetadataOptions`` (``{}`` when unset) and ``AssignsPublicIp`` (the configuration's
    AssociatePublicIpAddress, or any of the template's network interfaces'); both null when
    the launch source no longer exists.
    """
    if source is None:
        return {"InstanceMetadataOptions": None, "AssignsPublicIp": None}
    interfaces = source.get("NetworkInterfaces") or []
    return {
        "InstanceMetadataOptions": dict(plain(source.get("MetadataOptions") or {})),
        "AssignsPublicIp": bool(source.get("AssociatePublicIpAddress"))
        or any(bool(eni.get("AssociatePublicIpAddress")) for eni in interfaces),
    }


def group_config(group: dict[str, Any], source: dict[str, Any] | None) -> dict[str, Any]:
    """The group without its scaling state, lists sorted, tags flattened, propagation kept."""
    raw_tags = group.get("Tags") or []
    config: dict[str, Any] = sort_lists(
        plain({k: v for k, v in group.items() if k not in _DROPPED}),
        *_UNORDERED,
    )
    config.setdefault("LaunchConfigurationName", None)
    config.setdefault("LaunchTemplate", None)
    config["UsesLaunchTemplate"] = launch_template_of(group) is not None
    config.update(launch_settings(source))
    config["PropagatedTagKeys"] = sorted(
        str(t["Key"]) for t in raw_tags if t.get("PropagateAtLaunch")
    )
    config["Tags"] = flatten_tags(raw_tags)
    return config


@connector(
    "aws.autoscaling.group",
    service="autoscaling",
    scope="regional",
    permissions=(
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeLaunchConfigurations",
        "ec2:DescribeLaunchTemplateVersions",
    ),
    id_field="AutoScalingGroupARN",
    name_field="AutoScalingGroupName",
    custodian=("asg",),
)
class AutoScalingGroupConnector(Connector):
    """Auto Scaling groups (paged, tags included) with the IMDS and public IP settings of
    what they launch.

    Launch configurations are read in batches of 50 with the listing; a launch template's
    version is read per group.
    """

    config_shape = ConfigShape(
        api=("autoscaling", "AutoScalingGroup"),
        attributes=(
            "AssignsPublicIp",
            "InstanceMetadataOptions",
            "PropagatedTagKeys",
            "UsesLaunchTemplate",
        ),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every group of the region, with its launch configuration's metadata attached."""
        autoscaling = scope.client("autoscaling")
        groups = paginate(autoscaling, "describe_auto_scaling_groups", "AutoScalingGroups")
        names = sorted(
            {g["LaunchConfigurationName"] for g in groups if g.get("LaunchConfigurationName")}
        )
        configurations: dict[str, dict[str, Any]] = {}
        for start in range(0, len(names), _CONFIGURATION_BATCH):
            found = paginate(
                autoscaling,
                "describe_launch_configurations",
                "LaunchConfigurations",
                LaunchConfigurationNames=names[start : start + _CONFIGURATION_BATCH],
            )
            configurations.update({c["LaunchConfigurationName"]: c for c in found})
        return [
            {**g, "LaunchMetadata": configurations.get(g.get("LaunchConfigurationName") or "")}
            for g in groups
        ]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The group's config with the settings of its launch template or configuration."""
        spec = launch_template_of(resource)
        source: dict[str, Any] | None = resource.get("LaunchMetadata")
        if spec is not None:
            source = _template_data(scope.client("ec2"), spec)
        config = group_config(resource, source)
        return DiscoveredAsset(
            asset_id=config["AutoScalingGroupARN"],
            name=config["AutoScalingGroupName"],
            region=scope.region,
            config=config,
            tags=config["Tags"],
        )
