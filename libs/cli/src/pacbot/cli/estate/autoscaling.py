"""Compute fleets: launch templates and Auto Scaling groups, hardened and left open.

Groups are created with no desired capacity, so moto launches no instances that other types
would then have to declare.
"""

from __future__ import annotations

from typing import Any

from pacbot.cli.estate._model import Account, Seeded, seeded
from pacbot.cli.estate.ec2 import machine_image

GROUP = "aws.autoscaling.group"
LAUNCH_TEMPLATE = "aws.ec2.launch_template"
TARGET_GROUP = "aws.elbv2.target_group"


def seed(account: Account, vpc_id: str, subnets: list[str], group: str) -> list[Seeded]:
    """Two launch templates, a hardened fleet behind its target group and a legacy fleet."""
    ec2 = account.client("ec2")
    image = machine_image(ec2)
    hardened, templates = _templates(account, image, group)
    target_group = account.client("elbv2").create_target_group(
        Name=account.name_of("fleet-tg"),
        Protocol="HTTPS",
        Port=443,
        VpcId=vpc_id,
        HealthCheckEnabled=True,
        HealthCheckProtocol="HTTPS",
        HealthCheckPath="/healthz",
        TargetType="instance",
    )["TargetGroups"][0]["TargetGroupArn"]
    groups = _groups(account, image, hardened, target_group, subnets)
    return [*templates, seeded(TARGET_GROUP, target_group), *groups]


def _templates(account: Account, image: str, group: str) -> tuple[str, list[Seeded]]:
    ec2 = account.client("ec2")

    def template(name: str, data: dict[str, Any]) -> str:
        created = ec2.create_launch_template(
            LaunchTemplateName=account.name_of(name),
            LaunchTemplateData={"ImageId": image, "InstanceType": "t3.micro", **data},
            TagSpecifications=[
                {"ResourceType": "launch-template", "Tags": [{"Key": "Owner", "Value": "web"}]}
            ],
        )
        return str(created["LaunchTemplate"]["LaunchTemplateId"])

    hardened = template(
        "web-template",
        {
            "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled"},
            "NetworkInterfaces": [
                {"DeviceIndex": 0, "AssociatePublicIpAddress": False, "Groups": [group]}
            ],
            "BlockDeviceMappings": [
                {"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": True, "VolumeSize": 20}}
            ],
        },
    )
    legacy = template(
        "bastion-template",
        {
            "NetworkInterfaces": [
                {"DeviceIndex": 0, "AssociatePublicIpAddress": True, "Groups": [group]}
            ],
            "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 20}}],
        },
    )
    # A latest version besides the default one: the connector reports (and policies judge) both.
    ec2.create_launch_template_version(
        LaunchTemplateId=legacy,
        SourceVersion="1",
        LaunchTemplateData={"MetadataOptions": {"HttpTokens": "optional"}},
    )
    return hardened, [
        seeded(LAUNCH_TEMPLATE, account.arn("ec2", f"launch-template/{hardened}")),
        seeded(
            LAUNCH_TEMPLATE,
            account.arn("ec2", f"launch-template/{legacy}"),
            {
                "aws-ec2-launch-template-imdsv2",
                "aws-ec2-launch-template-no-public-ip",
                "aws-ec2-launch-template-ebs-encrypted",
            },
        ),
    ]


def _groups(
    account: Account, image: str, template: str, target_group: str, subnets: list[str]
) -> list[Seeded]:
    autoscaling = account.client("autoscaling")

    def owner(name: str, propagate: bool) -> list[dict[str, Any]]:
        return [
            {
                "ResourceId": name,
                "ResourceType": "auto-scaling-group",
                "Key": "Owner",
                "Value": "web",
                "PropagateAtLaunch": propagate,
            }
        ]

    fleet = account.name_of("web-fleet")
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=fleet,
        LaunchTemplate={"LaunchTemplateId": template, "Version": "$Default"},
        MinSize=0,
        MaxSize=4,
        DesiredCapacity=0,
        VPCZoneIdentifier=",".join(subnets),
        TargetGroupARNs=[target_group],
        HealthCheckType="ELB",
        HealthCheckGracePeriod=300,
        Tags=owner(fleet, True),
    )
    legacy = account.name_of("legacy-fleet")
    autoscaling.create_launch_configuration(
        LaunchConfigurationName=legacy,
        ImageId=image,
        InstanceType="t3.micro",
        MetadataOptions={"HttpTokens": "optional", "HttpEndpoint": "enabled"},
        AssociatePublicIpAddress=True,
    )
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=legacy,
        LaunchConfigurationName=legacy,
        MinSize=0,
        MaxSize=2,
        DesiredCapacity=0,
        VPCZoneIdentifier=subnets[0],
        TargetGroupARNs=[target_group],
        HealthCheckType="EC2",
        Tags=owner(legacy, False),
    )
    arns = {
        g["AutoScalingGroupName"]: g["AutoScalingGroupARN"]
        for g in autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[fleet, legacy])[
            "AutoScalingGroups"
        ]
    }
    return [
        seeded(GROUP, arns[fleet]),
        seeded(
            GROUP,
            arns[legacy],
            {
                "aws-autoscaling-group-elb-health-check",
                "aws-autoscaling-group-multi-az",
                "aws-autoscaling-group-launch-template",
                "aws-autoscaling-group-imdsv2",
                "aws-autoscaling-group-propagated-tags",
                "aws-autoscaling-group-no-public-ip",
            },
        ),
    ]
