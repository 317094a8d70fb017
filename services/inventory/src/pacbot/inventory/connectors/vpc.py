"""VPC topology: VPCs (with their flow logs), subnets, network ACLs and route tables."""

from __future__ import annotations

from typing import Any

from pacbot.inventory.connectors._aws import flatten_tags, paginate, plain
from pacbot.inventory.connectors._listing import Ec2Listing, canonical, register, sort_lists
from pacbot.inventory.connectors.registry import ConfigShape, Scope

_FILTER_VALUES = 200  # values per DescribeFlowLogs filter, well under the API limit


@register("aws.ec2.vpc", "ec2:DescribeVpcs", "ec2:DescribeFlowLogs", custodian=("vpc",))
class VpcConnector(Ec2Listing):
    """VPCs with their flow logs, so a policy can flag a VPC whose traffic is not logged."""

    config_shape = ConfigShape(
        api=("ec2", "Vpc"),
        attributes=("Arn", "FlowLogs", "FlowLogsEnabled", "Name"),
    )

    operation, key, id_key, arn_kind = "describe_vpcs", "Vpcs", "VpcId", "vpc"

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """DescribeVpcs, then DescribeFlowLogs for all of them in batches by resource-id."""
        vpcs = super().list_resources(scope)
        ids = [v["VpcId"] for v in vpcs]
        logs: dict[str, list[dict[str, Any]]] = {vpc_id: [] for vpc_id in ids}
        for start in range(0, len(ids), _FILTER_VALUES):
            batch = ids[start : start + _FILTER_VALUES]
            found = paginate(
                scope.client("ec2"),
                "describe_flow_logs",
                "FlowLogs",
                Filters=[{"Name": "resource-id", "Values": batch}],
            )
            for flow_log in found:
                logs.setdefault(flow_log["ResourceId"], []).append(flow_log)
        return [{**v, "FlowLogs": logs[v["VpcId"]]} for v in vpcs]

    def shape(self, scope: Scope, item: dict[str, Any]) -> dict[str, Any]:
        """CIDR associations sorted; FlowLogs sorted with flat tags; FlowLogsEnabled derived."""
        flow_logs = canonical(
            {**plain(f), "Tags": flatten_tags(f.get("Tags"))} for f in item.get("FlowLogs", [])
        )
        return {
            **sort_lists(item, "CidrBlockAssociationSet", "Ipv6CidrBlockAssociationSet"),
            "IsDefault": bool(item.get("IsDefault")),
            "FlowLogs": flow_logs,
            "FlowLogsEnabled": any(f.get("FlowLogStatus") == "ACTIVE" for f in flow_logs),
        }


@register("aws.ec2.subnet", "ec2:DescribeSubnets", custodian=("subnet",))
class SubnetConnector(Ec2Listing):
    """Subnets: public IP mapping on launch, CIDRs, zone and VPC."""

    config_shape = ConfigShape(api=("ec2", "Subnet"), attributes=("Arn", "Name"))

    operation, key, id_key, arn_kind = "describe_subnets", "Subnets", "SubnetId", "subnet"

    def shape(self, scope: Scope, item: dict[str, Any]) -> dict[str, Any]:
        """Without AvailableIpAddressCount, which changes with every launch."""
        item.pop("AvailableIpAddressCount", None)
        return {
            **sort_lists(item, "Ipv6CidrBlockAssociationSet"),
            "MapPublicIpOnLaunch": bool(item.get("MapPublicIpOnLaunch")),
        }


@register("aws.ec2.network_acl", "ec2:DescribeNetworkAcls", custodian=("network-acl",))
class NetworkAclConnector(Ec2Listing):
    """Network ACLs: entries in rule order (ingress, then egress) and subnet associations."""

    config_shape = ConfigShape(api=("ec2", "NetworkAcl"), attributes=("Arn", "Name"))

    operation, key, id_key, arn_kind = (
        "describe_network_acls",
        "NetworkAcls",
        "NetworkAclId",
        "network-acl",
    )

    def shape(self, scope: Scope, item: dict[str, Any]) -> dict[str, Any]:
        """Entries sorted by Egress then RuleNumber; associations sorted."""
        entries = sorted(
            item.get("Entries", []),
            key=lambda e: (bool(e.get("Egress")), e.get("RuleNumber", 0)),
        )
        return {**sort_lists(item, "Associations"), "Entries": entries}


@register("aws.ec2.route_table", "ec2:DescribeRouteTables", custodian=("route-table",))
class RouteTableConnector(Ec2Listing):
    """Route tables: routes, subnet/gateway associations and propagating gateways."""

    config_shape = ConfigShape(api=("ec2", "RouteTable"), attributes=("Arn", "Main", "Name"))

    operation, key, id_key, arn_kind = (
        "describe_route_tables",
        "RouteTables",
        "RouteTableId",
        "route-table",
    )

    def shape(self, scope: Scope, item: dict[str, Any]) -> dict[str, Any]:
        """Routes, associations and propagations sorted; Main derived from the associations."""
        associations = canonical(item.get("Associations"))
        return {
            **sort_lists(item, "Routes", "PropagatingVgws"),
            "Associations": associations,
            "Main": any(a.get("Main") for a in associations),
        }
