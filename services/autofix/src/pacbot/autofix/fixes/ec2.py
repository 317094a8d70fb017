"""EC2 fixes: EBS encryption by default, private snapshots and AMIs, IMDSv2 on instances.

Violations carry the resource's ARN as asset id (its name is the Name tag), so snapshot, image
and instance ids are taken from the asset id. The EBS default is one setting per account and
region: the region is the target's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from pacbot.autofix.fixes._base import AccountAws, ApiCall, Fix, FixTarget, ResourceGone, error_code
from pacbot.autofix.fixes._registry import FIXES

PUBLIC = {"Group": "all"}


def resource_id(target: FixTarget, prefix: str) -> str:
    """The id at the end of the asset id (``arn:...:snapshot/snap-...`` or the bare id)."""
    found = target.asset_id.rsplit("/", 1)[-1]
    if not found.startswith(prefix):
        raise ValueError(f"{target.asset_id} does not name a {prefix.rstrip('-')} resource")
    return found


def _answer(
    call: Callable[..., dict[str, Any]], gone: tuple[str, ...], what: str, **kwargs: Any
) -> dict[str, Any]:
    """The response of a Describe* call; ResourceGone when AWS answers one of ``gone``."""
    try:
        return call(**kwargs)
    except ClientError as exc:
        if error_code(exc) in gone:
            raise ResourceGone(f"{what} no longer exists") from exc
        raise


def _canonical(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda x: json.dumps(x, sort_keys=True))


# --- EBS encryption by default ------------------------------------------------------------


@FIXES.register
class EbsDefaultEncryption(Fix):
    """Turns on EBS encryption by default in the region; rollback turns it off if it was off.

    New volumes use the region's default EBS key (which the fix leaves as it is). Volumes and
    snapshots that already exist are not touched.
    """

    name = "ebs-default-encryption"
    resource_type = "aws.ec2.ebs_encryption_default"
    policies = ("aws-ec2-ebs-encryption-default",)
    read_permissions = ("ec2:GetEbsEncryptionByDefault",)
    write_permissions = ("ec2:EnableEbsEncryptionByDefault", "ec2:DisableEbsEncryptionByDefault")
    reversible = True
    backs_up = "whether EBS encryption by default was on in the region"
    verifies = "reads the setting back and requires it on"
    description = "Enable EBS encryption by default in the region"

    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """The region's EbsEncryptionByDefault flag."""
        answer = aws.client("ec2").get_ebs_encryption_by_default()
        return {"EbsEncryptionByDefault": bool(answer.get("EbsEncryptionByDefault"))}

    def is_compliant(self, current: dict[str, Any], target: FixTarget) -> bool:
        """The flag is on."""
        return current.get("EbsEncryptionByDefault") is True

    def calls(self, current: dict[str, Any], target: FixTarget) -> list[ApiCall]:
        """One EnableEbsEncryptionByDefault, unless it is on."""
        if self.is_compliant(current, target):
            return []
        return [ApiCall("ec2", "enable_ebs_encryption_by_default")]

    def rollback_calls(
        self, backup: dict[str, Any], current: dict[str, Any], target: FixTarget
    ) -> list[ApiCall]:
        """Turn the flag back to what it was."""
        was = backup.get("EbsEncryptionByDefault") is True
        if was == (current.get("EbsEncryptionByDefault") is True):
            return []
        operation = "enable" if was else "disable"
        return [ApiCall("ec2", f"{operation}_ebs_encryption_by_default")]


# --- Public snapshots and AMIs ------------------------------------------------------------


def _snapshot_permission(snapshot_id: str, operation: str) -> ApiCall:
    params = {
        "SnapshotId": snapshot_id,
        "Attribute": "createVolumePermission",
        "OperationType": operation,
        "GroupNames": ["all"],
    }
    return ApiCall("ec2", "modify_snapshot_attribute", params)


@FIXES.register
class Ec2SnapshotPrivate(Fix):
    """Removes the ``all`` group from a snapshot's create-volume permission; keeps accounts.

    Rollback adds the group back, which AWS refuses while EBS snapshot Block Public Access is
    on in the region (the rollback then fails rather than work around it).
    """

    name = "ec2-snapshot-private"
    resource_type = "aws.ec2.snapshot"
    policies = ("aws-ec2-snapshot-not-public",)
    read_permissions = ("ec2:DescribeSnapshotAttribute",)
    write_permissions = ("ec2:ModifySnapshotAttribute",)
    reversible = True
    backs_up = "the snapshot's create-volume permissions (groups and account ids)"
    verifies = "reads the create-volume permissions back and requires no group all"
    description = "Make the EBS snapshot private (remove public create-volume permission)"

    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """The snapshot's CreateVolumePermissions, in a stable order."""
        snapshot_id = resource_id(target, "snap-")
        answer = _answer(
            aws.client("ec2").describe_snapshot_attribute,
            ("InvalidSnapshot.NotFound",),
            f"snapshot {snapshot_id}",
            SnapshotId=snapshot_id,
            Attribute="createVolumePermission",
        )
        return {"CreateVolumePermissions": _canonical(answer.get("CreateVolumePermissions", []))}

    def is_compliant(self, current: dict[str, Any], target: FixTarget) -> bool:
        """The group ``all`` may not create volumes from it."""
        return PUBLIC not in current["CreateVolumePermissions"]

    def calls(self, current: dict[str, Any], target: FixTarget) -> list[ApiCall]:
        """One ModifySnapshotAttribute removing the group ``all``."""
        if self.is_compliant(current, target):
            return []
        return [_snapshot_permission(resource_id(target, "snap-"), "remove")]

    def rollback_calls(
        self, backup: dict[str, Any], current: dict[str, Any], target: FixTarget
    ) -> list[ApiCall]:
        """Add the group ``all`` back when the backup had it and it is gone."""
        if self.is_compliant(backup, target) or not self.is_compliant(current, target):
            return []
        return [_snapshot_permission(resource_id(target, "snap-"), "add")]


def _launch_permission(image_id: str, operation: str) -> ApiCall:
    params = {"ImageId": image_id, "LaunchPermission": {operation: [dict(PUBLIC)]}}
    return ApiCall("ec2", "modify_image_attribute", params)


@FIXES.register
class Ec2ImagePrivate(Fix):
    """Removes the ``all`` group from an AMI's launch permission; keeps accounts and OUs.

    The region's AMI Block Public Access setting is out of scope. Rollback adds the group
    back, which AWS refuses while that setting is on (the rollback then fails).
    """

    name = "ec2-image-private"
    resource_type = "aws.ec2.image"
    policies = ("aws-ec2-image-not-public",)
    read_permissions = ("ec2:DescribeImageAttribute",)
    write_permissions = ("ec2:ModifyImageAttribute",)
    reversible = True
    backs_up = "the AMI's launch permissions (groups, account ids, organizations)"
    verifies = "reads the launch permissions back and requires no group all"
    description = "Make the AMI private (remove public launch permission)"

    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """The AMI's LaunchPermissions, in a stable order."""
        image_id = resource_id(target, "ami-")
        answer = _answer(
            aws.client("ec2").describe_image_attribute,
            ("InvalidAMIID.NotFound", "InvalidAMIID.Unavailable"),
            f"AMI {image_id}",
            ImageId=image_id,
            Attribute="launchPermission",
        )
        return {"LaunchPermissions": _canonical(answer.get("LaunchPermissions", []))}

    def is_compliant(self, current: dict[str, Any], target: FixTarget) -> bool:
        """The group ``all`` may not launch it."""
        return PUBLIC not in current["LaunchPermissions"]

    def calls(self, current: dict[str, Any], target: FixTarget) -> list[ApiCall]:
        """One ModifyImageAttribute removing the group ``all``."""
        if self.is_compliant(current, target):
            return []
        return [_launch_permission(resource_id(target, "ami-"), "Remove")]

    def rollback_calls(
        self, backup: dict[str, Any], current: dict[str, Any], target: FixTarget
    ) -> list[ApiCall]:
        """Add the group ``all`` back when the backup had it and it is gone."""
        if self.is_compliant(backup, target) or not self.is_compliant(current, target):
            return []
        return [_launch_permission(resource_id(target, "ami-"), "Add")]


# --- IMDSv2 -------------------------------------------------------------------------------

IMDS_KEYS = ("HttpTokens", "HttpPutResponseHopLimit", "HttpEndpoint")


def _metadata_options(instance_id: str, options: dict[str, Any]) -> ApiCall:
    named = {k: options[k] for k in IMDS_KEYS if options.get(k) is not None}
    return ApiCall("ec2", "modify_instance_metadata_options", {"InstanceId": instance_id, **named})


@FIXES.register
class Ec2RequireImdsV2(Fix):
    """Requires IMDSv2 session tokens on an instance, keeping the metadata endpoint enabled.

    The call names the hop limit and endpoint too, at their current values: AWS leaves unnamed
    options as they are, but stating them keeps the call exact (and moto resets unnamed ones).
    Rollback restores the old tokens setting, hop limit and endpoint. Software on the instance
    that still speaks IMDSv1 stops getting metadata: the grace period is the owner's warning.
    """

    name = "ec2-require-imdsv2"
    resource_type = "aws.ec2.instance"
    policies = ("aws-ec2-instance-imdsv2",)
    read_permissions = ("ec2:DescribeInstances",)
    write_permissions = ("ec2:ModifyInstanceMetadataOptions",)
    reversible = True
    backs_up = "the instance's HttpTokens, HttpPutResponseHopLimit and HttpEndpoint"
    verifies = "describes the instance again and requires HttpTokens required"
    description = "Require IMDSv2 (HttpTokens required) on the EC2 instance"

    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """The instance's metadata options this fix touches."""
        instance_id = resource_id(target, "i-")
        answer = _answer(
            aws.client("ec2").describe_instances,
            ("InvalidInstanceID.NotFound",),
            f"instance {instance_id}",
            InstanceIds=[instance_id],
        )
        found = [i for r in answer.get("Reservations", []) for i in r.get("Instances", [])]
        if not found or found[0].get("State", {}).get("Name") == "terminated":
            raise ResourceGone(f"instance {instance_id} no longer exists")
        options = found[0].get("MetadataOptions", {})
        return {k: options.get(k) for k in IMDS_KEYS}

    def is_compliant(self, current: dict[str, Any], target: FixTarget) -> bool:
        """Tokens are required, or the metadata endpoint is off altogether."""
        return current.get("HttpTokens") == "required" or current.get("HttpEndpoint") == "disabled"

    def calls(self, current: dict[str, Any], target: FixTarget) -> list[ApiCall]:
        """One ModifyInstanceMetadataOptions with HttpTokens required, the rest as they are."""
        if self.is_compliant(current, target):
            return []
        wanted = {**current, "HttpTokens": "required"}
        return [_metadata_options(resource_id(target, "i-"), wanted)]

    def rollback_calls(
        self, backup: dict[str, Any], current: dict[str, Any], target: FixTarget
    ) -> list[ApiCall]:
        """One ModifyInstanceMetadataOptions with the backed-up options."""
        if {k: current.get(k) for k in IMDS_KEYS} == {k: backup.get(k) for k in IMDS_KEYS}:
            return []
        return [_metadata_options(resource_id(target, "i-"), backup)]
