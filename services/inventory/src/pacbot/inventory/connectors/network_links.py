"""Links out of a VPC: VPC endpoints, transit gateways and VPC peering connections."""

from __future__ import annotations

from typing import Any

from pacbot.inventory.connectors._aws import policy_document
from pacbot.inventory.connectors._listing import Ec2Listing, register, sort_lists
from pacbot.inventory.connectors.registry import ConfigShape, Scope

# States in which the link no longer exists (AWS lists them for a while after).
_ENDPOINT_GONE = frozenset({"deleted", "deleting", "rejected", "failed", "expired"})
_GATEWAY_GONE = frozenset({"deleted", "deleting"})
_PEERING_GONE = frozenset({"deleted", "deleting", "rejected", "failed", "expired"})


@register("aws.ec2.vpc_endpoint", "ec2:DescribeVpcEndpoints", custodian=("vpc-endpoint",))
class VpcEndpointConnector(Ec2Listing):
    """VPC endpoints: type, service, decoded endpoint policy, private DNS, subnets and groups."""

    config_shape = ConfigShape(api=("ec2", "VpcEndpoint"), attributes=("Arn", "Name"))

    operation, key, id_key, arn_kind = (
        "describe_vpc_endpoints",
        "VpcEndpoints",
        "VpcEndpointId",
        "vpc-endpoint",
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every endpoint that still exists."""
        return [e for e in super().list_resources(scope) if e.get("State") not in _ENDPOINT_GONE]

    def shape(self, scope: Scope, item: dict[str, Any]) -> dict[str, Any]:
        """The policy as a document (null when the service takes none); id lists sorted."""
        return {
            **sort_lists(
                item, "RouteTableIds", "SubnetIds", "Groups", "NetworkInterfaceIds", "DnsEntries"
            ),
            "PolicyDocument": policy_document(item.get("PolicyDocument")),
            "PrivateDnsEnabled": bool(item.get("PrivateDnsEnabled")),
        }


@register("aws.ec2.transit_gateway", "ec2:DescribeTransitGateways", custodian=("transit-gateway",))
class TransitGatewayConnector(Ec2Listing):
    """Transit gateways: attachment acceptance and default route table association options."""

    config_shape = ConfigShape(api=("ec2", "TransitGateway"), attributes=("Arn", "Name"))

    operation, key, id_key, arn_kind = (
        "describe_transit_gateways",
        "TransitGateways",
        "TransitGatewayId",
        "transit-gateway",
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every transit gateway not deleted."""
        return [g for g in super().list_resources(scope) if g.get("State") not in _GATEWAY_GONE]

    def shape(self, scope: Scope, item: dict[str, Any]) -> dict[str, Any]:
        """Options with their CIDR blocks sorted."""
        options = sort_lists(item.get("Options") or {}, "TransitGatewayCidrBlocks")
        return {**item, "Options": options}


@register(
    "aws.ec2.vpc_peering_connection",
    "ec2:DescribeVpcPeeringConnections",
    custodian=("peering-connection",),
)
class VpcPeeringConnectionConnector(Ec2Listing):
    """Peering connections, with the peer's account and whether the link leaves the account."""

    config_shape = ConfigShape(
        api=("ec2", "VpcPeeringConnection"),
        attributes=("Arn", "CrossAccount", "CrossRegion", "Name", "PeerOwnerId", "PeerRegion"),
    )

    operation, key, id_key, arn_kind = (
        "describe_vpc_peering_connections",
        "VpcPeeringConnections",
        "VpcPeeringConnectionId",
        "vpc-peering-connection",
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every peering connection that is requested, pending or active."""
        return [
            p
            for p in super().list_resources(scope)
            if (p.get("Status") or {}).get("Code") not in _PEERING_GONE
        ]

    def shape(self, scope: Scope, item: dict[str, Any]) -> dict[str, Any]:
        """``PeerOwnerId`` / ``PeerRegion``: the other side's, seen from the swept account."""
        requester = item.get("RequesterVpcInfo") or {}
        accepter = item.get("AccepterVpcInfo") or {}
        ours, theirs = (
            (requester, accepter)
            if requester.get("OwnerId") == scope.account_id
            else (accepter, requester)
        )
        peer_owner = theirs.get("OwnerId")
        return {
            **item,
            "PeerOwnerId": peer_owner,
            "PeerRegion": theirs.get("Region"),
            "CrossAccount": peer_owner != scope.account_id,
            "CrossRegion": bool(theirs.get("Region"))
            and theirs.get("Region") != ours.get("Region"),
        }
