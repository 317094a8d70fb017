"""EC2 compute and storage through the connectors: compliant and misconfigured examples."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.client import BaseClient

ACCOUNT = "123456789012"
REGION = "us-east-1"


def arn(kind: str, resource_id: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:ec2:{REGION}:{account}:{kind}/{resource_id}"


MOTO_AMI = "ami-12c6146b"  # one of moto's built-in AMIs; listing them all takes seconds


def test_instances_imds_v2_required_and_optional(aws: Any, discover: Any) -> None:
    ec2, iam = aws("ec2"), aws("iam")
    iam.create_instance_profile(InstanceProfileName="web")
    sg = ec2.create_security_group(GroupName="web", Description="web")["GroupId"]
    good = ec2.run_instances(
        ImageId=MOTO_AMI,
        MinCount=1,
        MaxCount=1,
        SecurityGroupIds=[sg],
        IamInstanceProfile={"Name": "web"},
        EbsOptimized=True,
        Monitoring={"Enabled": True},
        MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled"},
        TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "good"}]}
        ],
    )["Instances"][0]["InstanceId"]
    bad = ec2.run_instances(
        ImageId=MOTO_AMI,
        MinCount=1,
        MaxCount=1,
        MetadataOptions={"HttpTokens": "optional"},
    )["Instances"][0]["InstanceId"]
    gone = ec2.run_instances(ImageId=MOTO_AMI, MinCount=1, MaxCount=1)["Instances"][0]
    ec2.terminate_instances(InstanceIds=[gone["InstanceId"]])

    found = discover("aws.ec2.instance")

    assert set(found) == {arn("instance", good), arn("instance", bad)}
    asset = found[arn("instance", good)]
    assert asset.name == "good"
    assert asset.tags == {"Name": "good"}
    ok = asset.config
    assert ok["Arn"] == arn("instance", good)
    assert ok["Tags"] == {"Name": "good"}
    assert ok["MetadataOptions"]["HttpTokens"] == "required"
    assert [g["GroupId"] for g in ok["SecurityGroups"]] == [sg]
    assert ok["IamInstanceProfile"]["Arn"].endswith(":instance-profile/web")
    assert ok["EbsOptimized"] is True
    assert ok["Monitoring"]["State"] == "enabled"
    assert ok["SubnetId"].startswith("subnet-")
    assert ok["VpcId"].startswith("vpc-")
    assert ok["PublicIpAddress"]
    notok = found[arn("instance", bad)].config
    assert notok["MetadataOptions"]["HttpTokens"] == "optional"
    assert "IamInstanceProfile" not in notok
    assert notok["Name"] == bad
    assert notok["Monitoring"]["State"] == "disabled"


def test_security_groups_open_ssh_and_restricted(aws: Any, discover: Any) -> None:
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    open_sg = ec2.create_security_group(GroupName="open", Description="d", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=open_sg,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "10.0.0.0/8"}, {"CidrIp": "0.0.0.0/0"}],
                "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
            },
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            },
        ],
    )
    shut = ec2.create_security_group(GroupName="shut", Description="d", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=shut,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "UserIdGroupPairs": [{"GroupId": open_sg}],
            }
        ],
    )
    ec2.revoke_security_group_egress(
        GroupId=shut,
        IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    for groups in ([open_sg], [open_sg, shut]):
        ec2.create_network_interface(SubnetId=subnet, Groups=groups)

    found = discover("aws.ec2.security_group")

    bad = found[arn("security-group", open_sg)].config
    good = found[arn("security-group", shut)].config
    assert bad["GroupName"] == "open"
    assert bad["Name"] == "open"
    assert bad["VpcId"] == vpc
    ssh = next(p for p in bad["IpPermissions"] if p["FromPort"] == 22)
    assert ssh["IpRanges"] == [{"CidrIp": "0.0.0.0/0"}, {"CidrIp": "10.0.0.0/8"}]
    assert ssh["Ipv6Ranges"] == [{"CidrIpv6": "::/0"}]
    assert ssh["UserIdGroupPairs"] == []
    assert ssh["PrefixListIds"] == []
    assert [p["FromPort"] for p in bad["IpPermissions"]] == [22, 443]
    assert bad["IpPermissionsEgress"][0]["IpRanges"] == [{"CidrIp": "0.0.0.0/0"}]
    [rule] = good["IpPermissions"]
    assert rule["IpRanges"] == []
    assert rule["UserIdGroupPairs"][0]["GroupId"] == open_sg
    assert good["IpPermissionsEgress"] == []
    assert (bad["NetworkInterfaceCount"], good["NetworkInterfaceCount"]) == (2, 1)
    defaults = [a for a in found.values() if a.config["GroupName"] == "default"]
    assert defaults  # moto's default VPC and our VPC each bring one


def test_volumes_encrypted_and_plain(aws: Any, discover: Any) -> None:
    ec2 = aws("ec2")
    key = aws("kms").create_key()["KeyMetadata"]["Arn"]
    good = ec2.create_volume(AvailabilityZone="us-east-1a", Size=1, Encrypted=True, KmsKeyId=key)
    bad = ec2.create_volume(AvailabilityZone="us-east-1a", Size=1)

    found = discover("aws.ec2.volume")

    ok = found[arn("volume", good["VolumeId"])].config
    notok = found[arn("volume", bad["VolumeId"])].config
    assert ok["Encrypted"] is True
    assert ok["KmsKeyId"] == key
    assert notok["Encrypted"] is False
    assert not notok.get("KmsKeyId")
    assert notok["Attachments"] == []
    assert notok["State"] == "available"


def test_snapshots_public_and_private(aws: Any, discover: Any) -> None:
    ec2 = aws("ec2")
    volume = ec2.create_volume(AvailabilityZone="us-east-1a", Size=1, Encrypted=True)["VolumeId"]
    private = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
    public = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
    ec2.modify_snapshot_attribute(
        SnapshotId=public,
        Attribute="createVolumePermission",
        OperationType="add",
        GroupNames=["all"],
    )
    ec2.modify_snapshot_attribute(
        SnapshotId=private,
        Attribute="createVolumePermission",
        OperationType="add",
        UserIds=["111122223333"],
    )

    found = discover("aws.ec2.snapshot")

    snapshot_arn = f"arn:aws:ec2:{REGION}::snapshot/"
    assert set(found) == {snapshot_arn + private, snapshot_arn + public}  # not moto's AMI ones
    bad = found[snapshot_arn + public].config
    good = found[snapshot_arn + private].config
    assert bad["Public"] is True
    assert bad["CreateVolumePermissions"] == [{"Group": "all"}]
    assert good["Public"] is False
    assert good["CreateVolumePermissions"] == [{"UserId": "111122223333"}]
    assert good["Encrypted"] is True
    assert good["VolumeId"] == volume


def test_images_public_and_private(aws: Any, discover: Any) -> None:
    ec2 = aws("ec2")
    instance = ec2.run_instances(ImageId=MOTO_AMI, MinCount=1, MaxCount=1)["Instances"][0]
    public = ec2.create_image(InstanceId=instance["InstanceId"], Name="public")["ImageId"]
    private = ec2.create_image(InstanceId=instance["InstanceId"], Name="private")["ImageId"]
    ec2.modify_image_attribute(ImageId=public, LaunchPermission={"Add": [{"Group": "all"}]})

    found = discover("aws.ec2.image")

    image_arn = f"arn:aws:ec2:{REGION}::image/"
    assert set(found) == {image_arn + public, image_arn + private}
    bad = found[image_arn + public]
    good = found[image_arn + private]
    assert bad.name == "public"
    assert bad.config["Public"] is True
    assert bad.config["LaunchPermissions"] == [{"Group": "all"}]
    assert good.config["Public"] is False
    assert good.config["LaunchPermissions"] == []


@pytest.fixture
def default_kms_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """Answer GetEbsDefaultKmsKeyId, which moto 5.2 does not implement."""
    key = "arn:aws:kms:us-east-1:123456789012:key/default-ebs"
    real: Any = vars(BaseClient)["_make_api_call"]

    def call(self: Any, operation: str, params: dict[str, Any]) -> Any:
        if operation == "GetEbsDefaultKmsKeyId":
            return {"KmsKeyId": key}
        return real(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", call)
    return key


def test_ebs_encryption_by_default_on_and_off(
    aws: Any, discover: Any, default_kms_key: str
) -> None:
    aws("ec2", "eu-west-1").enable_ebs_encryption_by_default()

    on = discover("aws.ec2.ebs_encryption_default", "eu-west-1")
    off = discover("aws.ec2.ebs_encryption_default", "us-east-1")

    on_id = f"arn:aws:ec2:eu-west-1:{ACCOUNT}:ebs-encryption-by-default"
    off_id = f"arn:aws:ec2:us-east-1:{ACCOUNT}:ebs-encryption-by-default"
    assert list(on) == [on_id]
    assert list(off) == [off_id]
    assert on[on_id].config["EbsEncryptionByDefault"] is True
    assert on[on_id].config["KmsKeyId"] == default_kms_key
    assert on[on_id].region == "eu-west-1"
    assert off[off_id].config["EbsEncryptionByDefault"] is False
    assert off[off_id].config["KmsKeyId"] is None
    assert off[off_id].config["Tags"] == {}
