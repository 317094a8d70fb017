"""VPC topology and edges through the connectors: compliant and misconfigured examples."""

from __future__ import annotations

from typing import Any

ACCOUNT = "123456789012"


def arn(kind: str, resource_id: str) -> str:
    return f"arn:aws:ec2:us-east-1:{ACCOUNT}:{kind}/{resource_id}"


def test_vpcs_with_and_without_flow_logs(aws: Any, discover: Any) -> None:
    ec2 = aws("ec2")
    aws("s3").create_bucket(Bucket="flow-logs")
    logged = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[logged], Tags=[{"Key": "Name", "Value": "prod"}])
    dark = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    answer = ec2.create_flow_logs(
        ResourceIds=[logged],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::flow-logs",
    )
    assert answer["Unsuccessful"] == []

    found = discover("aws.ec2.vpc")

    good = found[arn("vpc", logged)]
    bad = found[arn("vpc", dark)].config
    assert good.name == "prod"
    assert good.config["Tags"] == {"Name": "prod"}
    assert good.config["FlowLogsEnabled"] is True
    assert good.config["IsDefault"] is False
    [flow_log] = good.config["FlowLogs"]
    assert flow_log["ResourceId"] == logged
    assert flow_log["TrafficType"] == "ALL"
    assert flow_log["LogDestination"] == "arn:aws:s3:::flow-logs"
    assert bad["FlowLogsEnabled"] is False
    assert bad["FlowLogs"] == []
    assert bad["CidrBlock"] == "10.2.0.0/16"
    defaults = [a.config for a in found.values() if a.config["IsDefault"]]
    assert len(defaults) == 1
    assert defaults[0]["FlowLogsEnabled"] is False


def test_subnets_nacls_and_route_tables(aws: Any, discover: Any) -> None:
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.3.0.0/16")["Vpc"]["VpcId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.3.1.0/24")["Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.3.2.0/24")["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=public, MapPublicIpOnLaunch={"Value": True})
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=table, SubnetId=public)
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    for number, egress, port in ((200, False, 22), (100, True, 443), (100, False, 443)):
        ec2.create_network_acl_entry(
            NetworkAclId=acl,
            RuleNumber=number,
            Protocol="6",
            RuleAction="allow",
            Egress=egress,
            CidrBlock="0.0.0.0/0",
            PortRange={"From": port, "To": port},
        )

    subnets = discover("aws.ec2.subnet")
    acls = discover("aws.ec2.network_acl")
    tables = discover("aws.ec2.route_table")

    assert subnets[arn("subnet", public)].config["MapPublicIpOnLaunch"] is True
    closed = subnets[arn("subnet", private)].config
    assert closed["MapPublicIpOnLaunch"] is False
    assert closed["VpcId"] == vpc
    assert "AvailableIpAddressCount" not in closed  # changes with every launch
    entries = acls[arn("network-acl", acl)].config["Entries"]
    assert [(e["Egress"], e["RuleNumber"]) for e in entries] == [
        (False, 100),
        (False, 200),
        (True, 100),
    ]
    assert entries[1]["PortRange"] == {"From": 22, "To": 22}
    assert entries[1]["CidrBlock"] == "0.0.0.0/0"
    default_acl = next(
        a.config for a in acls.values() if a.config["VpcId"] == vpc and a.config["IsDefault"]
    )
    assert {x["SubnetId"] for x in default_acl["Associations"]} == {public, private}
    routed = tables[arn("route-table", table)].config
    assert {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw}.items() <= next(
        r for r in routed["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"
    ).items()
    assert [a["SubnetId"] for a in routed["Associations"]] == [public]
    assert routed["Main"] is False
    main = [t.config for t in tables.values() if t.config["VpcId"] == vpc and t.config["Main"]]
    assert len(main) == 1
    assert all(r.get("GatewayId") == "local" for r in main[0]["Routes"])


def test_gateways_addresses_and_interfaces(aws: Any, discover: Any) -> None:
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.4.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.4.1.0/24")["Subnet"]["SubnetId"]
    attached = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=attached, VpcId=vpc)
    detached = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    used = ec2.allocate_address(Domain="vpc")
    idle = ec2.allocate_address(Domain="vpc")
    nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=used["AllocationId"])
    nat_id = nat["NatGateway"]["NatGatewayId"]
    sg = ec2.create_security_group(GroupName="eni", Description="d", VpcId=vpc)["GroupId"]
    eni = ec2.create_network_interface(SubnetId=subnet, Groups=[sg], Description="app")
    eni_id = eni["NetworkInterface"]["NetworkInterfaceId"]

    igws = discover("aws.ec2.internet_gateway")
    nats = discover("aws.ec2.nat_gateway")
    eips = discover("aws.ec2.elastic_ip")
    enis = discover("aws.ec2.network_interface")

    assert igws[arn("internet-gateway", attached)].config["Attachments"][0]["VpcId"] == vpc
    assert igws[arn("internet-gateway", detached)].config["Attachments"] == []
    gateway = nats[arn("natgateway", nat_id)].config
    assert gateway["SubnetId"] == subnet
    assert gateway["VpcId"] == vpc
    assert gateway["NatGatewayAddresses"][0]["AllocationId"] == used["AllocationId"]
    busy = eips[arn("elastic-ip", used["AllocationId"])]
    spare = eips[arn("elastic-ip", idle["AllocationId"])]
    assert busy.config["Associated"] is True
    assert busy.name == used["PublicIp"]
    assert spare.config["Associated"] is False
    assert spare.config["PublicIp"] == idle["PublicIp"]
    interface = enis[arn("network-interface", eni_id)].config
    assert [g["GroupId"] for g in interface["Groups"]] == [sg]
    assert interface["SubnetId"] == subnet
    assert interface["Description"] == "app"
    assert interface["Tags"] == {}
    assert "TagSet" not in interface


def test_configs_are_deterministic(aws: Any, discover: Any) -> None:
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.5.0.0/16")["Vpc"]["VpcId"]
    ec2.create_subnet(VpcId=vpc, CidrBlock="10.5.1.0/24")
    for resource_type in ("aws.ec2.vpc", "aws.ec2.subnet", "aws.ec2.network_acl"):
        first = {k: a.config for k, a in discover(resource_type).items()}
        assert first == {k: a.config for k, a in discover(resource_type).items()}
