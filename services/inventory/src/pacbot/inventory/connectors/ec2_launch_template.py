"""EC2 launch templates: the default and latest versions' IMDS, network and EBS settings."""

from __future__ import annotations

from typing import Any

from pacbot.inventory.connectors._aws import optional, plain
from pacbot.inventory.connectors._listing import Ec2Listing, canonical, register, sort_lists
from pacbot.inventory.connectors.registry import ConfigShape, Scope

_GONE = ("InvalidLaunchTemplateId.NotFound", "InvalidLaunchTemplateName.NotFoundException")


def version_config(version: dict[str, Any]) -> dict[str, Any]:
    """One template version: its number, default flag and data without the user data itself.

    User data often carries bootstrap secrets, so only whether there is any is kept.
    """
    data: dict[str, Any] = dict(version.get("LaunchTemplateData") or {})
    has_user_data = bool(data.pop("UserData", None))
    interfaces = [
        sort_lists(eni, "Groups", "Ipv6Addresses", "PrivateIpAddresses")
        for eni in data.get("NetworkInterfaces", [])
    ]
    if "NetworkInterfaces" in data:
        data["NetworkInterfaces"] = sorted(interfaces, key=lambda e: e.get("DeviceIndex", 0))
    data = sort_lists(data, "BlockDeviceMappings", "SecurityGroupIds", "SecurityGroups")
    if "TagSpecifications" in data:
        data["TagSpecifications"] = canonical(
            sort_lists(t, "Tags") for t in data["TagSpecifications"]
        )
    return {
        "VersionNumber": version["VersionNumber"],
        "VersionDescription": version.get("VersionDescription"),
        "DefaultVersion": bool(version.get("DefaultVersion")),
        "HasUserData": has_user_data,
        "LaunchTemplateData": data,
    }


@register(
    "aws.ec2.launch_template",
    "ec2:DescribeLaunchTemplates",
    "ec2:DescribeLaunchTemplateVersions",
    custodian=("launch-template-version",),
)
class LaunchTemplateConnector(Ec2Listing):
    """Launch templates (tags included) with their default and latest versions' data.

    ``Versions`` holds the default version and, when it differs, the latest one: the two a
    launch without an explicit version number uses ($Default, $Latest).
    """

    config_shape = ConfigShape(
        api=("ec2", "LaunchTemplate"),
        attributes=("Arn", "Name", "Versions"),
    )

    operation, key, id_key, arn_kind = (
        "describe_launch_templates",
        "LaunchTemplates",
        "LaunchTemplateId",
        "launch-template",
    )
    name_key = "LaunchTemplateName"

    def shape(self, scope: Scope, item: dict[str, Any]) -> dict[str, Any] | None:
        """The default and latest versions from one DescribeLaunchTemplateVersions call."""
        answer = optional(
            scope.client("ec2").describe_launch_template_versions,
            missing=_GONE,
            LaunchTemplateId=item["LaunchTemplateId"],
            Versions=["$Default", "$Latest"],
        )
        if answer is None:
            return None
        versions = {v["VersionNumber"]: v for v in plain(answer.get("LaunchTemplateVersions", []))}
        return {
            **item,
            "Versions": [version_config(versions[n]) for n in sorted(versions)],
        }
