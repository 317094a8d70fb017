"""The EC2 fixes against moto: EBS default encryption, private snapshots and AMIs, IMDSv2."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from pacbot.autofix.fixes import FIXES, AccountAws, ApiCall, Fix, ResourceGone

from .conftest import ACCOUNT, REGION, drill, target

PACK = Path(__file__).parents[4] / "services/assessor/src/pacbot/assessor/packs/aws"
AMI = "ami-12c6146b"  # one of moto's stock images
OTHER_ACCOUNT = "210987654321"


def fix_named(name: str) -> Fix:
    fix = FIXES.get(name)
    assert fix is not None
    return fix


def arn(kind: str, resource_id: str, account: str = "") -> str:
    return f"arn:aws:ec2:{REGION}:{account}:{kind}/{resource_id}"


def instance(client: Callable[[str], Any], **options: Any) -> str:
    found = client("ec2").run_instances(ImageId=AMI, MinCount=1, MaxCount=1, **options)
    instance_id: str = found["Instances"][0]["InstanceId"]
    return instance_id


# --- ebs-default-encryption ---------------------------------------------------------------


def test_ebs_encryption_by_default_is_turned_on_and_back_off(
    aws: AccountAws, client: Callable[[str], Any]
) -> None:
    fix = fix_named("ebs-default-encryption")
    setting = f"arn:aws:ec2:{REGION}:{ACCOUNT}:ebs-encryption-by-default"
    where = target("aws.ec2.ebs_encryption_default", "ebs-encryption-by-default", setting)
    assert drill(fix, aws, where) == {"EbsEncryptionByDefault": False}
    client("ec2").enable_ebs_encryption_by_default()
    current = fix.read(aws, where)
    assert fix.calls(current, where) == []
    assert fix.rollback_calls({"EbsEncryptionByDefault": True}, current, where) == []
    client("ec2").disable_ebs_encryption_by_default()


# --- ec2-snapshot-private -----------------------------------------------------------------


def test_a_public_snapshot_is_made_private_and_shared_accounts_stay(
    aws: AccountAws, client: Callable[[str], Any]
) -> None:
    ec2 = client("ec2")
    volume = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=1)["VolumeId"]
    snapshot = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
    ec2.modify_snapshot_attribute(
        SnapshotId=snapshot,
        Attribute="createVolumePermission",
        OperationType="add",
        GroupNames=["all"],
        UserIds=[OTHER_ACCOUNT],
    )
    fix = fix_named("ec2-snapshot-private")
    where = target("aws.ec2.snapshot", snapshot, arn("snapshot", snapshot))
    backup = drill(fix, aws, where)
    assert backup == {"CreateVolumePermissions": [{"Group": "all"}, {"UserId": OTHER_ACCOUNT}]}
    fix.apply(aws, where, backup)
    assert fix.read(aws, where) == {"CreateVolumePermissions": [{"UserId": OTHER_ACCOUNT}]}


def test_a_deleted_snapshot_is_gone(aws: AccountAws) -> None:
    with pytest.raises(ResourceGone):
        fix_named("ec2-snapshot-private").read(
            aws, target("aws.ec2.snapshot", "x", arn("snapshot", "snap-0123456789abcdef0"))
        )


# --- ec2-image-private --------------------------------------------------------------------


def test_a_public_ami_is_made_private_and_shared_accounts_stay(
    aws: AccountAws, client: Callable[[str], Any]
) -> None:
    ec2 = client("ec2")
    image = ec2.create_image(InstanceId=instance(client), Name="golden")["ImageId"]
    ec2.modify_image_attribute(
        ImageId=image, LaunchPermission={"Add": [{"Group": "all"}, {"UserId": OTHER_ACCOUNT}]}
    )
    fix = fix_named("ec2-image-private")
    where = target("aws.ec2.image", "golden", arn("image", image))
    backup = drill(fix, aws, where)
    assert backup == {"LaunchPermissions": [{"Group": "all"}, {"UserId": OTHER_ACCOUNT}]}
    assert fix.calls(backup, where) == [
        ApiCall(
            "ec2",
            "modify_image_attribute",
            {"ImageId": image, "LaunchPermission": {"Remove": [{"Group": "all"}]}},
        )
    ]
    fix.apply(aws, where, backup)
    assert fix.read(aws, where) == {"LaunchPermissions": [{"UserId": OTHER_ACCOUNT}]}
    assert ec2.describe_images(ImageIds=[image])["Images"][0]["Public"] is False


# --- ec2-require-imdsv2 -------------------------------------------------------------------


def test_imdsv2_is_required_and_hop_limit_and_endpoint_stay(
    aws: AccountAws, client: Callable[[str], Any]
) -> None:
    instance_id = instance(client, MetadataOptions={"HttpPutResponseHopLimit": 2})
    fix = fix_named("ec2-require-imdsv2")
    where = target("aws.ec2.instance", "web-1", arn("instance", instance_id, ACCOUNT))
    backup = drill(fix, aws, where)
    assert backup == {
        "HttpTokens": "optional",
        "HttpPutResponseHopLimit": 2,
        "HttpEndpoint": "enabled",
    }
    assert fix.calls(backup, where) == [
        ApiCall(
            "ec2",
            "modify_instance_metadata_options",
            {
                "InstanceId": instance_id,
                "HttpTokens": "required",
                "HttpPutResponseHopLimit": 2,
                "HttpEndpoint": "enabled",
            },
        )
    ]
    fix.apply(aws, where, backup)
    assert fix.read(aws, where) == {**backup, "HttpTokens": "required"}


def test_an_instance_with_the_endpoint_off_needs_nothing(
    aws: AccountAws, client: Callable[[str], Any]
) -> None:
    instance_id = instance(client, MetadataOptions={"HttpEndpoint": "disabled"})
    fix = fix_named("ec2-require-imdsv2")
    where = target("aws.ec2.instance", instance_id, arn("instance", instance_id, ACCOUNT))
    current = fix.read(aws, where)
    assert fix.is_compliant(current, where)
    assert fix.calls(current, where) == []


def test_a_missing_or_terminated_instance_is_gone(
    aws: AccountAws, client: Callable[[str], Any]
) -> None:
    fix = fix_named("ec2-require-imdsv2")
    with pytest.raises(ResourceGone):
        fix.read(aws, target("aws.ec2.instance", "x", "i-0123456789abcdef0"))
    instance_id = instance(client)
    client("ec2").terminate_instances(InstanceIds=[instance_id])
    with pytest.raises(ResourceGone):
        fix.read(aws, target("aws.ec2.instance", "x", instance_id))


def test_the_asset_id_must_name_the_resource(aws: AccountAws) -> None:
    with pytest.raises(ValueError, match="does not name"):
        fix_named("ec2-image-private").read(aws, target("aws.ec2.image", "x", "snap-0abc"))


# --- the fixes judge the policies' own examples as the policies do ------------------------

AS_READ: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "ec2-ebs-encryption-default": lambda c: {"EbsEncryptionByDefault": c["EbsEncryptionByDefault"]},
    "ec2-snapshot-not-public": lambda c: {"CreateVolumePermissions": c["CreateVolumePermissions"]},
    "ec2-image-not-public": lambda c: {"LaunchPermissions": c["LaunchPermissions"]},
    "ec2-instance-imdsv2": lambda c: dict(c["MetadataOptions"]),
}


@pytest.mark.parametrize("policy", sorted(AS_READ))
def test_the_policy_names_the_fix_and_they_agree_on_its_examples(policy: str) -> None:
    document = yaml.safe_load((PACK / f"{policy}.yaml").read_text())
    fix = fix_named(document["autofix"]["action"])
    assert document["id"] in fix.policies
    assert document["resource"] == fix.resource_type
    where = target(fix.resource_type, "example", **document["autofix"].get("params", {}))
    for verdict in ("pass", "fail"):
        for config in document["examples"][verdict]:
            assert fix.is_compliant(AS_READ[policy](config), where) is (verdict == "pass"), config
