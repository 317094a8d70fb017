"""Auto Scaling groups and launch templates through their connectors: hardened vs left open."""

from __future__ import annotations

from typing import Any

AMI = "ami-12c6146b"
HARDENED_DATA = {
    "ImageId": AMI,
    "InstanceType": "t3.micro",
    "UserData": "IyEvYmluL3NoCmV4cG9ydCBUT0tFTj1zM2NyM3QK",
    "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled"},
    "NetworkInterfaces": [{"DeviceIndex": 0, "AssociatePublicIpAddress": False}],
    "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": True}}],
}


def _subnets(ec2: Any) -> list[str]:
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    return [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.8.{n}.0/24", AvailabilityZone=zone)["Subnet"][
            "SubnetId"
        ]
        for n, zone in enumerate(("us-east-1a", "us-east-1b"))
    ]


def test_launch_template_default_and_latest_versions(aws: Any, discover: Any) -> None:
    ec2 = aws("ec2")
    good = ec2.create_launch_template(
        LaunchTemplateName="hardened",
        LaunchTemplateData=HARDENED_DATA,
        TagSpecifications=[
            {"ResourceType": "launch-template", "Tags": [{"Key": "Owner", "Value": "web"}]}
        ],
    )["LaunchTemplate"]["LaunchTemplateId"]
    loose = ec2.create_launch_template(
        LaunchTemplateName="loose",
        LaunchTemplateData={
            "ImageId": AMI,
            "NetworkInterfaces": [{"DeviceIndex": 0, "AssociatePublicIpAddress": True}],
            "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}],
        },
    )["LaunchTemplate"]["LaunchTemplateId"]
    ec2.create_launch_template_version(
        LaunchTemplateId=loose,
        LaunchTemplateData={"ImageId": AMI, "MetadataOptions": {"HttpTokens": "optional"}},
    )

    found = {a.config["LaunchTemplateId"]: a for a in discover("aws.ec2.launch_template").values()}

    hardened = found[good]
    assert hardened.asset_id == f"arn:aws:ec2:us-east-1:123456789012:launch-template/{good}"
    assert hardened.name == "hardened"
    assert hardened.owner == "web"
    [version] = hardened.config["Versions"]
    assert version["DefaultVersion"] is True
    assert version["HasUserData"] is True
    assert "UserData" not in version["LaunchTemplateData"]  # bootstrap secrets stay out
    assert version["LaunchTemplateData"]["MetadataOptions"]["HttpTokens"] == "required"
    open_versions = found[loose].config["Versions"]
    assert [(v["VersionNumber"], v["DefaultVersion"]) for v in open_versions] == [
        (1, True),
        (2, False),
    ]
    first, latest = (v["LaunchTemplateData"] for v in open_versions)
    assert first["NetworkInterfaces"][0]["AssociatePublicIpAddress"] is True
    assert "Encrypted" not in first["BlockDeviceMappings"][0]["Ebs"]
    assert latest["MetadataOptions"] == {"HttpTokens": "optional"}


def test_group_behind_a_load_balancer_vs_single_zone_launch_configuration(
    aws: Any, discover: Any
) -> None:
    ec2, autoscaling = aws("ec2"), aws("autoscaling")
    subnets = _subnets(ec2)
    template = ec2.create_launch_template(
        LaunchTemplateName="fleet", LaunchTemplateData=HARDENED_DATA
    )["LaunchTemplate"]["LaunchTemplateId"]
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="fleet",
        LaunchTemplate={"LaunchTemplateId": template, "Version": "$Default"},
        MinSize=0,
        MaxSize=4,
        DesiredCapacity=0,
        VPCZoneIdentifier=",".join(subnets),
        HealthCheckType="ELB",
        Tags=[
            {"Key": "Owner", "Value": "web", "PropagateAtLaunch": True},
            {"Key": "Team", "Value": "web", "PropagateAtLaunch": False},
        ],
    )
    autoscaling.create_launch_configuration(
        LaunchConfigurationName="legacy",
        ImageId=AMI,
        InstanceType="t3.micro",
        MetadataOptions={"HttpTokens": "optional", "HttpEndpoint": "enabled"},
        AssociatePublicIpAddress=True,
    )
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="legacy",
        LaunchConfigurationName="legacy",
        MinSize=0,
        MaxSize=1,
        VPCZoneIdentifier=subnets[0],
    )

    found = {a.name: a for a in discover("aws.autoscaling.group").values()}

    fleet, legacy = found["fleet"], found["legacy"]
    assert fleet.asset_id == fleet.config["AutoScalingGroupARN"]
    assert fleet.owner == "web"
    assert fleet.config["UsesLaunchTemplate"] is True
    assert fleet.config["LaunchConfigurationName"] is None
    assert fleet.config["HealthCheckType"] == "ELB"
    assert fleet.config["AvailabilityZones"] == ["us-east-1a", "us-east-1b"]
    assert fleet.config["InstanceMetadataOptions"]["HttpTokens"] == "required"
    assert fleet.config["AssignsPublicIp"] is False
    assert fleet.config["PropagatedTagKeys"] == ["Owner"]
    assert fleet.config["Tags"] == {"Owner": "web", "Team": "web"}
    assert "Instances" not in fleet.config
    assert "DesiredCapacity" not in fleet.config
    assert "LaunchMetadata" not in fleet.config
    assert legacy.config["UsesLaunchTemplate"] is False
    assert legacy.config["LaunchTemplate"] is None
    assert legacy.config["LaunchConfigurationName"] == "legacy"
    assert legacy.config["HealthCheckType"] == "EC2"
    assert legacy.config["AvailabilityZones"] == ["us-east-1a"]
    assert legacy.config["InstanceMetadataOptions"] == {
        "HttpTokens": "optional",
        "HttpEndpoint": "enabled",
    }
    assert legacy.config["AssignsPublicIp"] is True
    assert legacy.config["PropagatedTagKeys"] == []


def test_group_whose_launch_template_is_gone_has_no_metadata_options(
    aws: Any, discover: Any
) -> None:
    ec2, autoscaling = aws("ec2"), aws("autoscaling")
    subnets = _subnets(ec2)
    template = ec2.create_launch_template(
        LaunchTemplateName="doomed", LaunchTemplateData={"ImageId": AMI}
    )["LaunchTemplate"]["LaunchTemplateId"]
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="orphan",
        MixedInstancesPolicy={
            "LaunchTemplate": {
                "LaunchTemplateSpecification": {"LaunchTemplateId": template},
                "Overrides": [{"InstanceType": "t3.micro"}, {"InstanceType": "t3a.micro"}],
            }
        },
        MinSize=0,
        MaxSize=1,
        VPCZoneIdentifier=",".join(subnets),
    )
    ec2.delete_launch_template(LaunchTemplateId=template)

    [orphan] = discover("aws.autoscaling.group").values()

    assert orphan.config["UsesLaunchTemplate"] is True
    assert orphan.config["InstanceMetadataOptions"] is None
    assert orphan.config["AssignsPublicIp"] is None
