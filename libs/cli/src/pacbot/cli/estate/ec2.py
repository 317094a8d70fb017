"""EC2 compute and storage: instances, volumes, snapshots, images, security groups, EIPs, ENIs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pacbot.cli.estate._model import Account, Seeded, seeded
from pacbot.cli.estate.vpc import Network

INSTANCE = "aws.ec2.instance"
VOLUME = "aws.ec2.volume"
SNAPSHOT = "aws.ec2.snapshot"
IMAGE = "aws.ec2.image"
SECURITY_GROUP = "aws.ec2.security_group"
ELASTIC_IP = "aws.ec2.elastic_ip"
INTERFACE = "aws.ec2.network_interface"
EBS_DEFAULT = "aws.ec2.ebs_encryption_default"

GOOD_TAGS = {"Owner": "platform@acme.example", "Environment": "prod", "Application": "api"}


@dataclass(frozen=True)
class SeededInstance:
    """One instance of the estate: how it is launched and what it breaks."""

    name: str
    instance_type: str = "t3.micro"
    imdsv2: bool = True
    profile: bool = True
    tags: tuple[tuple[str, str], ...] = tuple(GOOD_TAGS.items())

    @property
    def breaks(self) -> set[str]:
        """Policy ids this launch configuration violates on purpose."""
        found = set()
        if self.instance_type.startswith(("m3.", "t1.", "m1.")):
            found.add("aws-ec2-instance-current-generation")
        if not self.imdsv2:
            found.add("aws-ec2-instance-imdsv2")
        if not self.profile:
            found.add("aws-ec2-instance-profile-attached")
        tags = dict(self.tags)
        if {"Owner", "Environment", "Application"} - set(tags):
            found.add("aws-tagging-ec2-instance-mandatory-tags")
        if "Environment" in tags and tags["Environment"] not in GOOD_ENVIRONMENTS:
            found.add("aws-tagging-ec2-instance-environment-value")
        return found


GOOD_ENVIRONMENTS = ("prod", "staging", "dev", "test", "sandbox")

INSTANCES = (
    SeededInstance("web"),
    SeededInstance("legacy-batch", instance_type="m3.medium", imdsv2=False),
    SeededInstance("scratch", profile=False, tags=(("Owner", "data@acme.example"),)),
    SeededInstance(
        "reporting",
        tags=(("Owner", "bi@acme.example"), ("Environment", "Production"), ("Application", "bi")),
    ),
)


def machine_image(ec2: Any) -> str:
    """A machine image moto ships for the region (moto launches any registered AMI).

    Asked by name: listing every Amazon image moto ships (over a thousand) costs about a second.
    """
    wanted = [{"Name": "name", "Values": ["amzn2-ami-hvm-*"]}]
    images = ec2.describe_images(Owners=["amazon"], Filters=wanted)["Images"]
    if not images:
        images = ec2.describe_images(Owners=["amazon"])["Images"]
    return str(sorted(i["ImageId"] for i in images)[0])


def launch(
    account: Account, spec: SeededInstance, image: str, subnet: str, group: str, profile: str
) -> str:
    """Run one instance of ``spec`` (an encrypted root volume, IMDS as it says); its id."""
    ec2 = account.client("ec2")
    tags = [{"Key": "Name", "Value": account.name_of(spec.name)}]
    tags += [{"Key": k, "Value": v} for k, v in spec.tags]
    extra: dict[str, Any] = {}
    if spec.profile:
        extra["IamInstanceProfile"] = {"Name": profile}
    reservation = ec2.run_instances(
        ImageId=image,
        InstanceType=spec.instance_type,
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet,
        SecurityGroupIds=[group],
        MetadataOptions={
            "HttpTokens": "required" if spec.imdsv2 else "optional",
            "HttpEndpoint": "enabled",
        },
        BlockDeviceMappings=[
            {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "Encrypted": True}}
        ],
        TagSpecifications=[{"ResourceType": "instance", "Tags": tags}],
        **extra,
    )
    return str(reservation["Instances"][0]["InstanceId"])


def seed(account: Account, network: Network, profile: str) -> list[Seeded]:
    """Every EC2 resource of the estate; returns what each must fail."""
    ec2 = account.client("ec2")
    # Account-and-region singleton: on in the estate (see ``lax`` for the broken variant).
    ec2.enable_ebs_encryption_by_default()
    found = [seeded(EBS_DEFAULT, account.arn("ec2", "ebs-encryption-by-default"))]
    image = machine_image(ec2)
    groups = _security_groups(account, network, found)
    network.app_group = groups
    instances: dict[str, str] = {}
    for spec in INSTANCES:
        instance_id = launch(account, spec, image, network.private_subnet, groups, profile)
        instances[spec.name] = instance_id
        found.append(seeded(INSTANCE, account.arn("ec2", f"instance/{instance_id}"), spec.breaks))
    found += _storage(account, instances)
    found += _addresses(account, network, instances["web"])
    found += attachments(account, list(instances.values()))
    return found


def _security_groups(account: Account, network: Network, found: list[Seeded]) -> str:
    """The app group (hardened), four open ones, and the custom VPC's default group stripped."""
    ec2 = account.client("ec2")

    def group(name: str, ingress: list[dict[str, Any]], breaks: set[str]) -> str:
        group_id = str(
            ec2.create_security_group(
                GroupName=account.name_of(name), Description=name, VpcId=network.vpc_id
            )["GroupId"]
        )
        if ingress:
            ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=ingress)
        found.append(
            seeded(SECURITY_GROUP, account.arn("ec2", f"security-group/{group_id}"), breaks)
        )
        return group_id

    app = group("app", [tcp(443, "0.0.0.0/0"), tcp(22, "10.40.0.0/16")], set())
    group("ssh-open", [tcp(22, "0.0.0.0/0")], {"aws-ec2-sg-no-open-admin-ports-ipv4"})
    group("rdp-open-v6", [tcp(3389, "::/0")], {"aws-ec2-sg-no-open-admin-ports-ipv6"})
    group("postgres-open", [tcp(5432, "0.0.0.0/0")], {"aws-ec2-sg-no-open-database-ports"})
    everything = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    group(
        "wide-open",
        everything,
        {
            "aws-ec2-sg-no-unrestricted-all-traffic",
            "aws-ec2-sg-no-open-admin-ports-ipv4",
            "aws-ec2-sg-no-open-database-ports",
        },
    )
    found += default_groups(account, network.vpc_id)
    return app


def tcp(port: int, cidr: str) -> dict[str, Any]:
    """An ingress permission for one TCP port from one IPv4 or IPv6 range."""
    ranges = (
        {"Ipv6Ranges": [{"CidrIpv6": cidr}]} if ":" in cidr else {"IpRanges": [{"CidrIp": cidr}]}
    )
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, **ranges}


def default_groups(account: Account, hardened_vpc: str | None = None) -> list[Seeded]:
    """Every VPC's default group in the region: stripped of its rules in ``hardened_vpc``, left
    as created (all egress allowed) in the others."""
    ec2 = account.client("ec2")
    found: list[Seeded] = []
    defaults = ec2.describe_security_groups(
        Filters=[{"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    for default in defaults:
        arn = account.arn("ec2", f"security-group/{default['GroupId']}")
        if default["VpcId"] == hardened_vpc:
            if default["IpPermissions"]:
                ec2.revoke_security_group_ingress(
                    GroupId=default["GroupId"], IpPermissions=default["IpPermissions"]
                )
            if default["IpPermissionsEgress"]:
                ec2.revoke_security_group_egress(
                    GroupId=default["GroupId"], IpPermissions=default["IpPermissionsEgress"]
                )
            found.append(seeded(SECURITY_GROUP, arn))
        else:
            found.append(seeded(SECURITY_GROUP, arn, {"aws-ec2-sg-default-restricts-all"}))
    return found


def _storage(account: Account, instances: dict[str, str]) -> list[Seeded]:
    """One loose unencrypted volume, a spare encrypted one, snapshots and images."""
    ec2 = account.client("ec2")
    found: list[Seeded] = []
    zone = f"{account.region}a"
    loose = ec2.create_volume(AvailabilityZone=zone, Size=10, Encrypted=False)["VolumeId"]
    found.append(
        seeded(
            VOLUME,
            account.arn("ec2", f"volume/{loose}"),
            {"aws-ec2-volume-encrypted", "aws-ec2-volume-unattached"},
        )
    )
    spare = ec2.create_volume(AvailabilityZone=zone, Size=10, Encrypted=True)["VolumeId"]
    found.append(
        seeded(VOLUME, account.arn("ec2", f"volume/{spare}"), {"aws-ec2-volume-unattached"})
    )

    def snapshot(volume: str, breaks: set[str], public: bool = False) -> None:
        snap = ec2.create_snapshot(VolumeId=volume, Description="estate")["SnapshotId"]
        if public:
            ec2.modify_snapshot_attribute(
                SnapshotId=snap,
                Attribute="createVolumePermission",
                OperationType="add",
                GroupNames=["all"],
            )
        found.append(seeded(SNAPSHOT, f"arn:aws:ec2:{account.region}::snapshot/{snap}", breaks))

    snapshot(spare, set())
    snapshot(loose, {"aws-ec2-snapshot-encrypted"})
    snapshot(spare, {"aws-ec2-snapshot-not-public"}, public=True)

    def image(instance: str, name: str, breaks: set[str], public: bool = False) -> None:
        image_id = ec2.create_image(InstanceId=instance, Name=account.name_of(name))["ImageId"]
        if public:
            ec2.modify_image_attribute(
                ImageId=image_id, LaunchPermission={"Add": [{"Group": "all"}]}
            )
        gap = {"aws-ec2-image-encrypted"}
        found.append(seeded(IMAGE, f"arn:aws:ec2:{account.region}::image/{image_id}", breaks, gap))
        described = ec2.describe_images(ImageIds=[image_id])["Images"][0]
        for mapping in described["BlockDeviceMappings"]:
            backing = mapping["Ebs"]["SnapshotId"]
            arn = f"arn:aws:ec2:{account.region}::snapshot/{backing}"
            found.append(seeded(SNAPSHOT, arn, gaps={"aws-ec2-snapshot-encrypted"}))

    image(instances["web"], "web-golden", set())
    image(instances["scratch"], "scratch-shared", {"aws-ec2-image-not-public"}, public=True)
    return found


def _addresses(account: Account, network: Network, web: str) -> list[Seeded]:
    """An associated and a forgotten elastic IP; the instances' interfaces and a stray one."""
    ec2 = account.client("ec2")
    used = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=used, InstanceId=web)
    idle = ec2.allocate_address(Domain="vpc")["AllocationId"]
    found = [
        seeded(ELASTIC_IP, account.arn("ec2", f"elastic-ip/{used}")),
        seeded(
            ELASTIC_IP,
            account.arn("ec2", f"elastic-ip/{idle}"),
            {"aws-ec2-elastic-ip-unassociated"},
        ),
    ]
    stray = ec2.create_network_interface(SubnetId=network.private_subnet, Description="stray")
    stray_id = stray["NetworkInterface"]["NetworkInterfaceId"]
    found.append(
        seeded(
            INTERFACE,
            account.arn("ec2", f"network-interface/{stray_id}"),
            {"aws-ec2-network-interface-unattached"},
        )
    )
    return found


def attachments(account: Account, instance_ids: list[str]) -> list[Seeded]:
    """The instances' root volumes and primary network interfaces, attached and encrypted."""
    ec2 = account.client("ec2")
    found = []
    described = ec2.describe_instances(InstanceIds=instance_ids)["Reservations"]
    for reservation in described:
        for instance in reservation["Instances"]:
            for mapping in instance.get("BlockDeviceMappings", []):
                volume = mapping["Ebs"]["VolumeId"]
                found.append(seeded(VOLUME, account.arn("ec2", f"volume/{volume}")))
            for eni in instance["NetworkInterfaces"]:
                arn = account.arn("ec2", f"network-interface/{eni['NetworkInterfaceId']}")
                found.append(seeded(INTERFACE, arn))
    return found


def lax(account: Account) -> list[Seeded]:
    """The second account's broken singleton: EBS encryption by default left off."""
    return [
        seeded(
            EBS_DEFAULT,
            account.arn("ec2", "ebs-encryption-by-default"),
            {"aws-ec2-ebs-encryption-default"},
        )
    ]
