"""VPC networking: the custom VPC (hardened), its subnets, NACLs, routes, gateways, flow logs.

Every region of a fresh moto account starts with a default VPC (default subnets that map
public IPs, an allow-all default NACL, an attached internet gateway); it is declared here as AWS
creates it, with the failures that brings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pacbot.cli.estate._model import Account, Seeded, seeded

VPC = "aws.ec2.vpc"
SUBNET = "aws.ec2.subnet"
NACL = "aws.ec2.network_acl"
ROUTE_TABLE = "aws.ec2.route_table"
INTERNET_GATEWAY = "aws.ec2.internet_gateway"
NAT_GATEWAY = "aws.ec2.nat_gateway"

CIDR = "10.40.0.0/16"
OPEN_NACL = "aws-vpc-nacl-no-open-admin-ports"


@dataclass
class Network:
    """The ids later modules launch into."""

    vpc_id: str
    private_subnet: str
    public_subnet: str
    app_group: str = ""
    seeded: list[Seeded] = field(default_factory=list)


def seed(account: Account, flow_log_group_arn: str, flow_log_role_arn: str) -> Network:
    """The custom VPC hardened to the pack's baseline, a few broken pieces, the default VPC."""
    ec2 = account.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock=CIDR)["Vpc"]["VpcId"]
    ec2.create_flow_logs(
        ResourceIds=[vpc_id],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="cloud-watch-logs",
        LogGroupName=flow_log_group_arn.split(":log-group:")[1].split(":")[0],
        DeliverLogsPermissionArn=flow_log_role_arn,
    )
    private = ec2.create_subnet(
        VpcId=vpc_id, CidrBlock="10.40.1.0/24", AvailabilityZone=f"{account.region}a"
    )["Subnet"]["SubnetId"]
    public = ec2.create_subnet(
        VpcId=vpc_id, CidrBlock="10.40.2.0/24", AvailabilityZone=f"{account.region}b"
    )["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=public, MapPublicIpOnLaunch={"Value": True})
    network = Network(vpc_id, private, public)
    found = network.seeded
    found.append(seeded(VPC, account.arn("ec2", f"vpc/{vpc_id}")))
    found.append(seeded(SUBNET, account.arn("ec2", f"subnet/{private}")))
    found.append(
        seeded(SUBNET, account.arn("ec2", f"subnet/{public}"), {"aws-vpc-subnet-no-auto-public-ip"})
    )
    _gateways(account, network)
    _acls(account, network)
    found += default_vpc(account)
    return network


def _gateways(account: Account, network: Network) -> None:
    ec2 = account.client("ec2")
    found = network.seeded
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=network.vpc_id)
    found.append(seeded(INTERNET_GATEWAY, account.arn("ec2", f"internet-gateway/{igw}")))
    spare = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    found.append(
        seeded(
            INTERNET_GATEWAY,
            account.arn("ec2", f"internet-gateway/{spare}"),
            {"aws-vpc-internet-gateway-attached"},
        )
    )
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=network.public_subnet, AllocationId=eip)
    nat_id = nat["NatGateway"]["NatGatewayId"]
    found.append(seeded(NAT_GATEWAY, account.arn("ec2", f"natgateway/{nat_id}")))
    for address in nat["NatGateway"].get("NatGatewayAddresses", []):
        eni = address["NetworkInterfaceId"]
        found.append(
            seeded(
                "aws.ec2.network_interface",
                account.arn("ec2", f"network-interface/{eni}"),
                gaps={"aws-ec2-network-interface-unattached"},
            )
        )
    network.seeded.append(seeded("aws.ec2.elastic_ip", account.arn("ec2", f"elastic-ip/{eip}")))
    public_routes = ec2.create_route_table(VpcId=network.vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_routes, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=public_routes, SubnetId=network.public_subnet)
    private_routes = ec2.create_route_table(VpcId=network.vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_route(
        RouteTableId=private_routes, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat_id
    )
    ec2.associate_route_table(RouteTableId=private_routes, SubnetId=network.private_subnet)
    for table in (public_routes, private_routes):
        found.append(seeded(ROUTE_TABLE, account.arn("ec2", f"route-table/{table}")))


def _entry(ec2: Any, acl: str, number: int, port: int | None, cidr: str, egress: bool) -> None:
    extra: dict[str, Any] = {"Protocol": "-1"}
    if port is not None:
        extra = {"Protocol": "6", "PortRange": {"From": port, "To": port}}
    ec2.create_network_acl_entry(
        NetworkAclId=acl,
        RuleNumber=number,
        RuleAction="allow",
        Egress=egress,
        CidrBlock=cidr,
        **extra,
    )


def _acls(account: Account, network: Network) -> None:
    """A web NACL (HTTPS in, internal traffic), an SSH-open one; the default NACL tightened."""
    ec2 = account.client("ec2")
    found = network.seeded
    web = ec2.create_network_acl(VpcId=network.vpc_id)["NetworkAcl"]["NetworkAclId"]
    _entry(ec2, web, 100, 443, "0.0.0.0/0", egress=False)
    _entry(ec2, web, 110, None, CIDR, egress=False)
    _entry(ec2, web, 100, None, "0.0.0.0/0", egress=True)
    found.append(seeded(NACL, account.arn("ec2", f"network-acl/{web}")))
    bastion = ec2.create_network_acl(VpcId=network.vpc_id)["NetworkAcl"]["NetworkAclId"]
    _entry(ec2, bastion, 100, 22, "0.0.0.0/0", egress=False)
    found.append(seeded(NACL, account.arn("ec2", f"network-acl/{bastion}"), {OPEN_NACL}))
    default = ec2.describe_network_acls(
        Filters=[
            {"Name": "vpc-id", "Values": [network.vpc_id]},
            {"Name": "default", "Values": ["true"]},
        ]
    )["NetworkAcls"][0]
    for entry in default["Entries"]:
        if entry["RuleAction"] == "allow" and not entry["Egress"]:
            ec2.replace_network_acl_entry(
                NetworkAclId=default["NetworkAclId"],
                RuleNumber=entry["RuleNumber"],
                Protocol="-1",
                RuleAction="allow",
                Egress=False,
                CidrBlock=CIDR,
            )
    found.append(seeded(NACL, account.arn("ec2", f"network-acl/{default['NetworkAclId']}")))
    main = ec2.describe_route_tables(
        Filters=[
            {"Name": "vpc-id", "Values": [network.vpc_id]},
            {"Name": "association.main", "Values": ["true"]},
        ]
    )["RouteTables"][0]["RouteTableId"]
    found.append(seeded(ROUTE_TABLE, account.arn("ec2", f"route-table/{main}")))


def default_vpc(account: Account) -> list[Seeded]:
    """The default VPC as AWS (and moto) creates it in every region, left untouched."""
    ec2 = account.client("ec2")
    found: list[Seeded] = []
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    vpc_id = vpc["VpcId"]
    only = [{"Name": "vpc-id", "Values": [vpc_id]}]
    found.append(seeded(VPC, account.arn("ec2", f"vpc/{vpc_id}"), {"aws-vpc-flow-logs-enabled"}))
    for subnet in ec2.describe_subnets(Filters=only)["Subnets"]:
        found.append(
            seeded(
                SUBNET,
                account.arn("ec2", f"subnet/{subnet['SubnetId']}"),
                {"aws-vpc-subnet-no-auto-public-ip"},
            )
        )
    for acl in ec2.describe_network_acls(Filters=only)["NetworkAcls"]:
        found.append(
            seeded(NACL, account.arn("ec2", f"network-acl/{acl['NetworkAclId']}"), {OPEN_NACL})
        )
    for table in ec2.describe_route_tables(Filters=only)["RouteTables"]:
        found.append(
            seeded(ROUTE_TABLE, account.arn("ec2", f"route-table/{table['RouteTableId']}"))
        )
    attached = [{"Name": "attachment.vpc-id", "Values": [vpc_id]}]
    for igw in ec2.describe_internet_gateways(Filters=attached)["InternetGateways"]:
        gateway = igw["InternetGatewayId"]
        found.append(seeded(INTERNET_GATEWAY, account.arn("ec2", f"internet-gateway/{gateway}")))
    return found
