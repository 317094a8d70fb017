"""VPC edges and addresses: internet gateways, NAT gateways, Elastic IPs and network interfaces."""

from __future__ import annotations

from typing import Any

from pacbot.inventory.connectors._listing import Ec2Listing, register, sort_lists
from pacbot.inventory.connectors.registry import ConfigShape, Scope


@register(
    "aws.ec2.internet_gateway", "ec2:DescribeInternetGateways", custodian=("internet-gateway",)
)
class InternetGatewayConnector(Ec2Listing):
    """Internet gateways and the VPCs they are attached to."""

    config_shape = ConfigShape(api=("ec2", "InternetGateway"), attributes=("Arn", "Name"))

    operation, key, id_key, arn_kind = (
        "describe_internet_gateways",
        "InternetGateways",
        "InternetGatewayId",
        "internet-gateway",
    )

    def shape(self, scope: Scope, item: dict[str, Any]) -> dict[str, Any]:
        """Attachments sorted."""
        return sort_lists(item, "Attachments")


@register("aws.ec2.nat_gateway", "ec2:DescribeNatGateways", custodian=("nat-gateway",))
class NatGatewayConnector(Ec2Listing):
    """NAT gateways (deleted ones left out): subnet, VPC, connectivity and addresses."""

    config_shape = ConfigShape(api=("ec2", "NatGateway"), attributes=("Arn", "Name"))

    operation, key, id_key, arn_kind = (
        "describe_nat_gateways",
        "NatGateways",
        "NatGatewayId",
        "natgateway",
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every NAT gateway not yet deleted (deleted ones linger in the answer for a while)."""
        return [n for n in super().list_resources(scope) if n.get("State") != "deleted"]

    def shape(self, scope: Scope, item: dict[str, Any]) -> dict[str, Any]:
        """Addresses sorted."""
        return sort_lists(item, "NatGatewayAddresses")


@register("aws.ec2.elastic_ip", "ec2:DescribeAddresses", custodian=("elastic-ip", "network-addr"))
class ElasticIpConnector(Ec2Listing):
    """Elastic IPs, with a derived Associated flag to find unused (billed) addresses."""

    config_shape = ConfigShape(api=("ec2", "Address"), attributes=("Arn", "Associated", "Name"))

    operation, key, id_key, arn_kind = (
        "describe_addresses",
        "Addresses",
        "AllocationId",
        "elastic-ip",
    )
    name_key = "PublicIp"

    def shape(self, scope: Scope, item: dict[str, Any]) -> dict[str, Any]:
        """Associated when bound to an instance or a network interface."""
        keys = ("AssociationId", "InstanceId", "NetworkInterfaceId")
        return {**item, "Associated": any(item.get(k) for k in keys)}


@register("aws.ec2.network_interface", "ec2:DescribeNetworkInterfaces", custodian=("eni",))
class NetworkInterfaceConnector(Ec2Listing):
    """Network interfaces: groups, addresses, public association and attachment."""

    config_shape = ConfigShape(api=("ec2", "NetworkInterface"), attributes=("Arn", "Name", "Tags"))

    operation, key, id_key, arn_kind = (
        "describe_network_interfaces",
        "NetworkInterfaces",
        "NetworkInterfaceId",
        "network-interface",
    )

    def shape(self, scope: Scope, item: dict[str, Any]) -> dict[str, Any]:
        """Groups and address lists sorted."""
        return sort_lists(
            item, "Groups", "PrivateIpAddresses", "Ipv6Addresses", "Ipv4Prefixes", "Ipv6Prefixes"
        )
