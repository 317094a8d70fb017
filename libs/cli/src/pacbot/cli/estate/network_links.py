"""Links out of the estate's VPC: gateway endpoints, transit gateways, peering connections.

Only gateway endpoints are seeded: moto backs each interface endpoint with a network interface
that reads Status=available (AWS: in-use), which would be an undeclared failing interface.
The peer account is a third, never-swept account that accepts one peering request.
"""

from __future__ import annotations

import json
from typing import Any

import boto3

from pacbot.cli.estate._model import Account, Seeded, seeded

ENDPOINT = "aws.ec2.vpc_endpoint"
TRANSIT_GATEWAY = "aws.ec2.transit_gateway"
PEERING = "aws.ec2.vpc_peering_connection"
PARTNER_ACCOUNT = "210987654321"
"""A vendor's account, outside both the estate and the demo's accounts."""


def _endpoints(account: Account, vpc_id: str, bucket_name: str) -> list[Seeded]:
    ec2 = account.client("ec2")
    narrow = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OneBucketOnly",
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": [
                    f"arn:aws:s3:::{bucket_name}",
                    f"arn:aws:s3:::{bucket_name}/*",
                ],
            }
        ],
    }
    service = f"com.amazonaws.{account.region}"
    s3 = ec2.create_vpc_endpoint(
        VpcId=vpc_id,
        ServiceName=f"{service}.s3",
        VpcEndpointType="Gateway",
        PolicyDocument=json.dumps(narrow),
    )["VpcEndpoint"]["VpcEndpointId"]
    dynamodb = ec2.create_vpc_endpoint(
        VpcId=vpc_id, ServiceName=f"{service}.dynamodb", VpcEndpointType="Gateway"
    )["VpcEndpoint"]["VpcEndpointId"]
    return [
        seeded(ENDPOINT, account.arn("ec2", f"vpc-endpoint/{s3}")),
        seeded(
            ENDPOINT,
            account.arn("ec2", f"vpc-endpoint/{dynamodb}"),
            {"aws-ec2-vpc-endpoint-policy-not-full-access"},
        ),
    ]


def _transit_gateways(account: Account) -> list[Seeded]:
    ec2 = account.client("ec2")
    core = ec2.create_transit_gateway(
        Description=account.name_of("core-network"),
        Options={
            "AutoAcceptSharedAttachments": "disable",
            "DefaultRouteTableAssociation": "disable",
            "DefaultRouteTablePropagation": "disable",
        },
    )["TransitGateway"]["TransitGatewayArn"]
    flat = ec2.create_transit_gateway(
        Description=account.name_of("flat-network"),
        Options={"AutoAcceptSharedAttachments": "enable"},
    )["TransitGateway"]["TransitGatewayArn"]
    return [
        seeded(TRANSIT_GATEWAY, core),
        seeded(
            TRANSIT_GATEWAY,
            flat,
            {
                "aws-ec2-transit-gateway-auto-accept-disabled",
                "aws-ec2-transit-gateway-default-route-table",
            },
        ),
    ]


def _partner_ec2(account: Account) -> Any:
    """An EC2 client in the partner's account (moto files requests under the assumed role's)."""
    credentials = account.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{PARTNER_ACCOUNT}:role/{account.name}-peer",
        RoleSessionName=account.name_of("peer"),
    )["Credentials"]
    session = boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=account.region,
    )
    return session.client("ec2", endpoint_url=account.endpoint_url)


def _peerings(account: Account, vpc_id: str) -> list[Seeded]:
    ec2 = account.client("ec2")
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][
        0
    ]["VpcId"]
    internal = ec2.create_vpc_peering_connection(VpcId=vpc_id, PeerVpcId=default_vpc)[
        "VpcPeeringConnection"
    ]["VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=internal)
    dns = {"AllowDnsResolutionFromRemoteVpc": True}
    ec2.modify_vpc_peering_connection_options(
        VpcPeeringConnectionId=internal,
        RequesterPeeringConnectionOptions=dns,
        AccepterPeeringConnectionOptions=dns,
    )
    partner = _partner_ec2(account)
    vendor_vpc = partner.create_vpc(CidrBlock="10.210.0.0/16")["Vpc"]["VpcId"]
    vendor = ec2.create_vpc_peering_connection(
        VpcId=vpc_id, PeerVpcId=vendor_vpc, PeerOwnerId=PARTNER_ACCOUNT
    )["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    partner.accept_vpc_peering_connection(VpcPeeringConnectionId=vendor)
    return [
        seeded(PEERING, account.arn("ec2", f"vpc-peering-connection/{internal}")),
        seeded(
            PEERING,
            account.arn("ec2", f"vpc-peering-connection/{vendor}"),
            {"aws-ec2-vpc-peering-trusted-accounts", "aws-ec2-vpc-peering-dns-resolution"},
        ),
    ]


def seed(account: Account, vpc_id: str, bucket_name: str) -> list[Seeded]:
    """Every endpoint, transit gateway and peering connection with what it must fail."""
    return (
        _endpoints(account, vpc_id, bucket_name)
        + _transit_gateways(account)
        + _peerings(account, vpc_id)
    )
