"""EC2 compute and storage: instances, security groups, volumes, snapshots, AMIs, EBS defaults."""

from __future__ import annotations

from typing import Any

from pacbot.inventory.connectors._aws import optional, paginate, plain
from pacbot.inventory.connectors._listing import Ec2Listing, canonical, register, sort_lists
from pacbot.inventory.connectors.registry import ConfigShape, Connector, DiscoveredAsset, Scope

_RULE_LISTS = ("IpRanges", "Ipv6Ranges", "UserIdGroupPairs", "PrefixListIds")


@register("aws.ec2.instance", "ec2:DescribeInstances", custodian=("ec2",))
class Ec2InstanceConnector(Ec2Listing):
    """EC2 instances (not terminated): IMDS options, public IP, profile, groups, network."""

    config_shape = ConfigShape(api=("ec2", "Instance"), attributes=("Arn", "Name"))

    operation, key, id_key, arn_kind = (
        "describe_instances",
        "Reservations",
        "InstanceId",
        "instance",
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every instance of every reservation, terminated ones left out."""
        reservations = super().list_resources(scope)
        instances = [i for r in reservations for i in r.get("Instances", [])]
        return [i for i in instances if i.get("State", {}).get("Name") != "terminated"]

    def shape(self, scope: Scope, item: dict[str, Any]) -> dict[str, Any]:
        """Groups, block devices and interfaces in a stable order."""
        interfaces = [
            sort_lists(eni, "Groups", "PrivateIpAddresses", "Ipv6Addresses", "Ipv4Prefixes")
            for eni in item.get("NetworkInterfaces", [])
        ]
        return {
            **sort_lists(item, "SecurityGroups", "BlockDeviceMappings", "ProductCodes"),
            "NetworkInterfaces": canonical(interfaces),
        }


def _rule(permission: dict[str, Any]) -> dict[str, Any]:
    """One SG permission with its peer lists always present and sorted."""
    return {**permission, **{k: canonical(permission.get(k)) for k in _RULE_LISTS}}


@register(
    "aws.ec2.security_group",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeNetworkInterfaces",
    custodian=("security-group",),
)
class SecurityGroupConnector(Ec2Listing):
    """Security groups with ingress and egress rules normalised and sorted, and how many
    network interfaces (instances, functions, databases, load balancers...) use each."""

    config_shape = ConfigShape(
        api=("ec2", "SecurityGroup"),
        attributes=("Arn", "Name", "NetworkInterfaceCount"),
    )

    operation, key, id_key, arn_kind = (
        "describe_security_groups",
        "SecurityGroups",
        "GroupId",
        "security-group",
    )
    name_key = "GroupName"

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """The groups, each with ``NetworkInterfaceCount`` from one listing of the region's
        network interfaces (0: nothing in the region uses the group)."""
        groups = super().list_resources(scope)
        interfaces = paginate(
            scope.client("ec2"), "describe_network_interfaces", "NetworkInterfaces"
        )
        users: dict[str, int] = {}
        for interface in interfaces:
            for group_id in {g.get("GroupId") for g in interface.get("Groups") or []}:
                if group_id:
                    users[group_id] = users.get(group_id, 0) + 1
        return [{**g, "NetworkInterfaceCount": users.get(g["GroupId"], 0)} for g in groups]

    def shape(self, scope: Scope, item: dict[str, Any]) -> dict[str, Any]:
        """IpPermissions and IpPermissionsEgress sorted, each rule's peers sorted."""
        return {
            **item,
            "IpPermissions": canonical(_rule(p) for p in item.get("IpPermissions", [])),
            "IpPermissionsEgress": canonical(_rule(p) for p in item.get("IpPermissionsEgress", [])),
        }


@register("aws.ec2.volume", "ec2:DescribeVolumes", custodian=("ebs",))
class EbsVolumeConnector(Ec2Listing):
    """EBS volumes: encryption, KMS key, attachments and state."""

    config_shape = ConfigShape(api=("ec2", "Volume"), attributes=("Arn", "Name"))

    operation, key, id_key, arn_kind = "describe_volumes", "Volumes", "VolumeId", "volume"

    def shape(self, scope: Scope, item: dict[str, Any]) -> dict[str, Any]:
        """Attachments in a stable order; Encrypted always present."""
        return {**sort_lists(item, "Attachments"), "Encrypted": bool(item.get("Encrypted"))}


def _public(permissions: list[dict[str, Any]]) -> bool:
    """Whether a create-volume or launch permission list grants the ``all`` group."""
    return any(p.get("Group") == "all" for p in permissions)


@register(
    "aws.ec2.snapshot",
    "ec2:DescribeSnapshots",
    "ec2:DescribeSnapshotAttribute",
    custodian=("ebs-snapshot",),
)
class EbsSnapshotConnector(Ec2Listing):
    """EBS snapshots owned by the account: encryption and who may create volumes from them."""

    config_shape = ConfigShape(
        api=("ec2", "Snapshot"),
        attributes=("Arn", "CreateVolumePermissions", "Name", "Public"),
    )

    operation, key, id_key, arn_kind = "describe_snapshots", "Snapshots", "SnapshotId", "snapshot"
    params = {"OwnerIds": ["self"]}

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """The account's own snapshots (OwnerId checked too: moto ignores OwnerIds)."""
        return [s for s in super().list_resources(scope) if s.get("OwnerId") == scope.account_id]

    def arn(self, scope: Scope, resource_id: str) -> str:
        """Snapshot ARNs carry no account."""
        return f"arn:aws:ec2:{scope.region}::snapshot/{resource_id}"

    def shape(self, scope: Scope, item: dict[str, Any]) -> dict[str, Any] | None:
        """CreateVolumePermissions from DescribeSnapshotAttribute and the derived Public flag."""
        answer = optional(
            scope.client("ec2").describe_snapshot_attribute,
            missing=("InvalidSnapshot.NotFound",),
            SnapshotId=item["SnapshotId"],
            Attribute="createVolumePermission",
        )
        if answer is None:
            return None
        permissions = canonical(plain(answer.get("CreateVolumePermissions", [])))
        return {
            **item,
            "Encrypted": bool(item.get("Encrypted")),
            "CreateVolumePermissions": permissions,
            "Public": _public(permissions),
        }


@register("aws.ec2.image", "ec2:DescribeImages", "ec2:DescribeImageAttribute", custodian=("ami",))
class AmiConnector(Ec2Listing):
    """AMIs owned by the account: Public flag and launch permissions."""

    config_shape = ConfigShape(api=("ec2", "Image"), attributes=("Arn", "LaunchPermissions"))

    operation, key, id_key, arn_kind = "describe_images", "Images", "ImageId", "image"
    params = {"Owners": ["self"]}

    def arn(self, scope: Scope, resource_id: str) -> str:
        """Image ARNs carry no account."""
        return f"arn:aws:ec2:{scope.region}::image/{resource_id}"

    def shape(self, scope: Scope, item: dict[str, Any]) -> dict[str, Any] | None:
        """LaunchPermissions from DescribeImageAttribute; Public when ``all`` may launch."""
        answer = optional(
            scope.client("ec2").describe_image_attribute,
            missing=("InvalidAMIID.NotFound", "InvalidAMIID.Unavailable"),
            ImageId=item["ImageId"],
            Attribute="launchPermission",
        )
        if answer is None:
            return None
        permissions = canonical(plain(answer.get("LaunchPermissions", [])))
        return {
            **sort_lists(item, "BlockDeviceMappings", "ProductCodes"),
            "LaunchPermissions": permissions,
            "Public": bool(item.get("Public")) or _public(permissions),
        }


@register(
    "aws.ec2.ebs_encryption_default",
    "ec2:GetEbsEncryptionByDefault",
    "ec2:GetEbsDefaultKmsKeyId",
    custodian=(),
)
class EbsEncryptionDefaultConnector(Connector):
    """The region's EBS encryption-by-default setting, one asset per account and region."""

    config_shape = ConfigShape(
        attributes=("Arn", "EbsEncryptionByDefault", "KmsKeyId", "Name", "Region", "Tags"),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Always exactly one setting."""
        return [{}]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """Whether new volumes are encrypted by default, and with which KMS key when they are."""
        ec2 = scope.client("ec2")
        enabled = bool(ec2.get_ebs_encryption_by_default().get("EbsEncryptionByDefault"))
        key_id = ec2.get_ebs_default_kms_key_id().get("KmsKeyId") if enabled else None
        arn = f"arn:aws:ec2:{scope.region}:{scope.account_id}:ebs-encryption-by-default"
        config: dict[str, Any] = {
            "Arn": arn,
            "Name": "ebs-encryption-by-default",
            "Region": scope.region,
            "EbsEncryptionByDefault": enabled,
            "KmsKeyId": key_id,
            "Tags": {},
        }
        return DiscoveredAsset(
            asset_id=arn, name=config["Name"], region=scope.region, config=config
        )
