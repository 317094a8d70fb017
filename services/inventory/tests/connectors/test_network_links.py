"""VPC endpoints, transit gateways and peering connections through their connectors."""

from __future__ import annotations

import json
from typing import Any

import boto3

ACCOUNT = "123456789012"
PARTNER = "777788889999"
READ_ONE_BUCKET = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::acme-artifacts/*",
        }
    ],
}


def test_restricted_endpoint_and_full_access_endpoint(aws: Any, discover: Any) -> None:
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
    narrow = ec2.create_vpc_endpoint(
        VpcId=vpc,
        ServiceName="com.amazonaws.us-east-1.s3",
        VpcEndpointType="Gateway",
        PolicyDocument=json.dumps(READ_ONE_BUCKET),
        TagSpecifications=[
            {"ResourceType": "vpc-endpoint", "Tags": [{"Key": "Owner", "Value": "net@example.com"}]}
        ],
    )["VpcEndpoint"]["VpcEndpointId"]
    wide = ec2.create_vpc_endpoint(
        VpcId=vpc,
        ServiceName="com.amazonaws.us-east-1.sqs",
        VpcEndpointType="Interface",
        SubnetIds=[subnet],
        PrivateDnsEnabled=False,
    )["VpcEndpoint"]["VpcEndpointId"]
    gone = ec2.create_vpc_endpoint(
        VpcId=vpc, ServiceName="com.amazonaws.us-east-1.dynamodb", VpcEndpointType="Gateway"
    )["VpcEndpoint"]["VpcEndpointId"]
    ec2.delete_vpc_endpoints(VpcEndpointIds=[gone])

    found = {a.config["VpcEndpointId"]: a for a in discover("aws.ec2.vpc_endpoint").values()}

    assert set(found) == {narrow, wide}
    good = found[narrow]
    bad = found[wide].config
    assert good.config["PolicyDocument"] == READ_ONE_BUCKET
    assert good.owner == "net@example.com"
    assert good.asset_id == f"arn:aws:ec2:us-east-1:{ACCOUNT}:vpc-endpoint/{narrow}"
    assert bad["VpcEndpointType"] == "Interface"
    assert bad["PrivateDnsEnabled"] is False
    assert bad["PolicyDocument"]["Statement"][0]["Action"] == "*"
    assert bad["SubnetIds"] == [subnet]


def test_transit_gateway_options(aws: Any, discover: Any) -> None:
    ec2 = aws("ec2")
    strict = ec2.create_transit_gateway(
        Description="core",
        Options={
            "AutoAcceptSharedAttachments": "disable",
            "DefaultRouteTableAssociation": "disable",
            "DefaultRouteTablePropagation": "disable",
        },
    )["TransitGateway"]["TransitGatewayArn"]
    lax = ec2.create_transit_gateway(
        Description="shared", Options={"AutoAcceptSharedAttachments": "enable"}
    )["TransitGateway"]["TransitGatewayArn"]

    found = discover("aws.ec2.transit_gateway")

    assert found[strict].config["Options"]["AutoAcceptSharedAttachments"] == "disable"
    assert found[strict].config["Options"]["DefaultRouteTableAssociation"] == "disable"
    assert found[lax].config["Options"]["AutoAcceptSharedAttachments"] == "enable"
    assert found[lax].config["Options"]["DefaultRouteTableAssociation"] == "enable"
    assert found[lax].name == found[lax].config["TransitGatewayId"]


def test_peering_within_the_account_and_with_another_account(
    aws: Any, discover: Any, moto_url: str
) -> None:
    ec2 = aws("ec2")
    ours = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    mine = ec2.create_vpc(CidrBlock="10.31.0.0/16")["Vpc"]["VpcId"]
    credentials = aws("sts").assume_role(
        RoleArn=f"arn:aws:iam::{PARTNER}:role/partner", RoleSessionName="partner"
    )["Credentials"]
    partner = boto3.client(
        "ec2",
        endpoint_url=moto_url,
        region_name="us-east-1",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    theirs = partner.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    internal = ec2.create_vpc_peering_connection(VpcId=ours, PeerVpcId=mine)[
        "VpcPeeringConnection"
    ]["VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=internal)
    ec2.modify_vpc_peering_connection_options(
        VpcPeeringConnectionId=internal,
        RequesterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": True},
        AccepterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": True},
    )
    external = ec2.create_vpc_peering_connection(VpcId=ours, PeerVpcId=theirs, PeerOwnerId=PARTNER)[
        "VpcPeeringConnection"
    ]["VpcPeeringConnectionId"]

    found = {
        a.config["VpcPeeringConnectionId"]: a.config
        for a in discover("aws.ec2.vpc_peering_connection").values()
    }

    assert set(found) == {internal, external}
    assert (found[internal]["CrossAccount"], found[internal]["PeerOwnerId"]) == (False, ACCOUNT)
    assert found[internal]["Status"]["Code"] == "active"
    options = found[internal]["RequesterVpcInfo"]["PeeringOptions"]
    assert options["AllowDnsResolutionFromRemoteVpc"] is True
    assert (found[external]["CrossAccount"], found[external]["PeerOwnerId"]) == (True, PARTNER)
    assert found[external]["CrossRegion"] is False
