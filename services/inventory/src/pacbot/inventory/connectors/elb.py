"""Load balancers: classic ELBs, ELBv2 load balancers with their listeners and target groups."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from pacbot.inventory.connectors._aws import error_code, flatten_tags, optional, paginate, plain
from pacbot.inventory.connectors._listing import register, sort_lists
from pacbot.inventory.connectors.registry import ConfigShape, Connector, DiscoveredAsset, Scope

_TAG_BATCH = 20  # DescribeTags takes at most 20 load balancers per call
_GONE = ("LoadBalancerNotFound",)
_SSL_NEGOTIATION = "SSLNegotiationPolicyType"


def _tags_by(client: Any, param: str, key: str, names: list[str]) -> dict[str, Any]:
    """DescribeTags for ``names`` in batches of 20: ``{name or arn: [tags]}``."""
    tags: dict[str, Any] = {}
    for start in range(0, len(names), _TAG_BATCH):
        answer = client.describe_tags(**{param: names[start : start + _TAG_BATCH]})
        tags.update({d[key]: d.get("Tags", []) for d in answer.get("TagDescriptions", [])})
    return tags


def _asset(arn: str, name: str, scope: Scope, config: dict[str, Any]) -> DiscoveredAsset:
    """The asset of one load balancer config document."""
    return DiscoveredAsset(
        asset_id=arn, name=name, region=scope.region, config=config, tags=config["Tags"]
    )


def _policy(description: dict[str, Any]) -> dict[str, Any]:
    """One classic ELB policy with its attributes as a map."""
    attributes = description.get("PolicyAttributeDescriptions", [])
    return {
        "PolicyName": description["PolicyName"],
        "PolicyTypeName": description.get("PolicyTypeName"),
        "Attributes": {a["AttributeName"]: a.get("AttributeValue") for a in attributes},
    }


def _classic_listener(entry: dict[str, Any], policies: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A listener, its policy names and its SSL negotiation policy (name, reference, protocols)."""
    names = sorted(entry.get("PolicyNames", []))
    ssl = [
        policies[n] for n in names if policies.get(n, {}).get("PolicyTypeName") == _SSL_NEGOTIATION
    ]
    attributes: dict[str, Any] = ssl[0]["Attributes"] if ssl else {}
    return {
        **entry["Listener"],
        "PolicyNames": names,
        "SslNegotiationPolicy": ssl[0]["PolicyName"] if ssl else None,
        "ReferenceSecurityPolicy": attributes.get("Reference-Security-Policy"),
        "SslProtocols": sorted(
            k.removeprefix("Protocol-")
            for k, v in attributes.items()
            if k.startswith("Protocol-") and str(v).lower() == "true"
        ),
    }


@register(
    "aws.elb.load_balancer",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elasticloadbalancing:DescribeLoadBalancerPolicies",
    "elasticloadbalancing:DescribeTags",
    custodian=("elb",),
)
class ClassicLoadBalancerConnector(Connector):
    """Classic ELBs: listeners with their SSL policies, access logs, cross-zone and tags."""

    config_shape = ConfigShape(
        api=("elb", "LoadBalancerDescription"),
        attributes=(
            "AccessLogsEnabled",
            "Arn",
            "Attributes",
            "CrossZoneLoadBalancing",
            "Listeners",
            "Name",
            "Tags",
        ),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """DescribeLoadBalancers, with tags from batched DescribeTags."""
        elb = scope.client("elb")
        found = paginate(elb, "describe_load_balancers", "LoadBalancerDescriptions")
        names = [lb["LoadBalancerName"] for lb in found]
        tags = _tags_by(elb, "LoadBalancerNames", "LoadBalancerName", names)
        return [{**lb, "Tags": tags.get(lb["LoadBalancerName"], [])} for lb in found]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """Attributes and policies of one load balancer; instance membership is left out."""
        elb = scope.client("elb")
        name: str = resource["LoadBalancerName"]
        attributes = optional(
            elb.describe_load_balancer_attributes, missing=_GONE, LoadBalancerName=name
        )
        described = optional(
            elb.describe_load_balancer_policies, missing=_GONE, LoadBalancerName=name
        )
        if attributes is None or described is None:
            return None
        item: dict[str, Any] = plain(resource)
        tags = flatten_tags(item.pop("Tags", None))
        item.pop("Instances", None)  # membership churns with scaling; not configuration
        policies = {p["PolicyName"]: p for p in map(_policy, described["PolicyDescriptions"])}
        listeners = [_classic_listener(e, policies) for e in item.pop("ListenerDescriptions", [])]
        lb_attributes = plain(attributes["LoadBalancerAttributes"])
        arn = f"arn:aws:elasticloadbalancing:{scope.region}:{scope.account_id}:loadbalancer/{name}"
        config = {
            "Arn": arn,
            "Name": name,
            **sort_lists(
                item, "AvailabilityZones", "Subnets", "SecurityGroups", "BackendServerDescriptions"
            ),
            "Listeners": sorted(listeners, key=lambda x: (x.get("LoadBalancerPort", 0), str(x))),
            "Policies": [policies[n] for n in sorted(policies)],
            "Attributes": sort_lists(lb_attributes, "AdditionalAttributes"),
            "AccessLogsEnabled": bool(lb_attributes.get("AccessLog", {}).get("Enabled")),
            "CrossZoneLoadBalancing": bool(
                lb_attributes.get("CrossZoneLoadBalancing", {}).get("Enabled")
            ),
            "Tags": tags,
        }
        return _asset(arn, name, scope, config)


def _listener(listener: dict[str, Any]) -> dict[str, Any]:
    """An ELBv2 listener with certificates and actions in a stable order."""
    item = {k: v for k, v in listener.items() if k != "LoadBalancerArn"}
    actions = sorted(item.get("DefaultActions", []), key=lambda a: (a.get("Order", 0), str(a)))
    return {**sort_lists(item, "Certificates"), "DefaultActions": actions}


def _flag(attributes: dict[str, str], key: str) -> bool | None:
    """A ``"true"``/``"false"`` attribute as a bool (None when this type has no such key)."""
    return None if key not in attributes else attributes[key].lower() == "true"


@register(
    "aws.elbv2.load_balancer",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elasticloadbalancing:DescribeTags",
    custodian=("app-elb",),
)
class LoadBalancerV2Connector(Connector):
    """Application, network and gateway load balancers: listeners, TLS policies, attributes."""

    config_shape = ConfigShape(
        api=("elbv2", "LoadBalancer"),
        attributes=(
            "AccessLogsEnabled",
            "Arn",
            "Attributes",
            "DeletionProtectionEnabled",
            "DropInvalidHeaderFields",
            "Listeners",
            "Name",
            "Tags",
        ),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """DescribeLoadBalancers, with tags from batched DescribeTags."""
        elbv2 = scope.client("elbv2")
        found = paginate(elbv2, "describe_load_balancers", "LoadBalancers")
        arns = [lb["LoadBalancerArn"] for lb in found]
        tags = _tags_by(elbv2, "ResourceArns", "ResourceArn", arns)
        return [{**lb, "Tags": tags.get(lb["LoadBalancerArn"], [])} for lb in found]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """Listeners and attributes of one load balancer, with derived security flags."""
        elbv2 = scope.client("elbv2")
        arn: str = resource["LoadBalancerArn"]
        try:
            listeners = paginate(elbv2, "describe_listeners", "Listeners", LoadBalancerArn=arn)
        except ClientError as exc:
            if error_code(exc) in _GONE:
                return None
            raise
        answer = optional(
            elbv2.describe_load_balancer_attributes, missing=_GONE, LoadBalancerArn=arn
        )
        if answer is None:
            return None
        attributes = {a["Key"]: a.get("Value", "") for a in answer.get("Attributes", [])}
        item: dict[str, Any] = plain(resource)
        tags = flatten_tags(item.pop("Tags", None))
        name: str = item["LoadBalancerName"]
        config = {
            "Arn": arn,
            "Name": name,
            **sort_lists(item, "AvailabilityZones", "SecurityGroups"),
            "Listeners": sorted(
                (_listener(plain(x)) for x in listeners),
                key=lambda x: (x.get("Port", 0), x.get("Protocol", ""), x.get("ListenerArn", "")),
            ),
            "Attributes": dict(sorted(attributes.items())),
            "AccessLogsEnabled": bool(_flag(attributes, "access_logs.s3.enabled")),
            "DeletionProtectionEnabled": bool(_flag(attributes, "deletion_protection.enabled")),
            "DropInvalidHeaderFields": _flag(
                attributes, "routing.http.drop_invalid_header_fields.enabled"
            ),
            "Tags": tags,
        }
        return _asset(arn, name, scope, config)


_TARGET_GROUP_GONE = ("TargetGroupNotFound",)
_LOAD_BALANCER_KINDS = {"app": "application", "net": "network", "gwy": "gateway"}


def target_group_config(group: dict[str, Any], attributes: dict[str, str]) -> dict[str, Any]:
    """A target group with its attributes as a map and the settings policies read, typed."""
    item: dict[str, Any] = plain(group)
    tags = flatten_tags(item.pop("Tags", None))
    delay = attributes.get("deregistration_delay.timeout_seconds")
    return {
        "Arn": item["TargetGroupArn"],
        "Name": item["TargetGroupName"],
        **sort_lists(item, "LoadBalancerArns"),
        "Attributes": dict(sorted(attributes.items())),
        "DeregistrationDelaySeconds": int(delay) if delay is not None else None,
        "StickinessEnabled": bool(_flag(attributes, "stickiness.enabled")),
        "Tags": tags,
    }


@register(
    "aws.elbv2.target_group",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeTags",
    custodian=("app-elb-target-group",),
)
class TargetGroupConnector(Connector):
    """ELBv2 target groups: protocol, health checks, deregistration delay and stickiness."""

    config_shape = ConfigShape(
        api=("elbv2", "TargetGroup"),
        attributes=(
            "Arn",
            "Attributes",
            "DeregistrationDelaySeconds",
            "Name",
            "StickinessEnabled",
            "Tags",
        ),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """DescribeTargetGroups, with tags from batched DescribeTags."""
        elbv2 = scope.client("elbv2")
        found = paginate(elbv2, "describe_target_groups", "TargetGroups")
        arns = [g["TargetGroupArn"] for g in found]
        tags = _tags_by(elbv2, "ResourceArns", "ResourceArn", arns)
        return [{**g, "Tags": tags.get(g["TargetGroupArn"], [])} for g in found]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The group's attributes; None when it was deleted since the listing."""
        answer = optional(
            scope.client("elbv2").describe_target_group_attributes,
            missing=_TARGET_GROUP_GONE,
            TargetGroupArn=resource["TargetGroupArn"],
        )
        if answer is None:
            return None
        attributes = {a["Key"]: a.get("Value", "") for a in answer.get("Attributes", [])}
        config = target_group_config(resource, attributes)
        return _asset(config["Arn"], config["Name"], scope, config)


def listener_config(listener: dict[str, Any], load_balancer: dict[str, Any]) -> dict[str, Any]:
    """A listener named ``<load balancer>:<port>``, with its load balancer's name and type."""
    item = _listener(plain(listener))
    tags = flatten_tags(item.pop("Tags", None))
    name = f"{load_balancer['LoadBalancerName']}:{item.get('Port')}"
    kind = listener["ListenerArn"].split(":listener/", 1)[1].split("/", 1)[0]
    return {
        "Arn": listener["ListenerArn"],
        "Name": name,
        **item,
        "LoadBalancerArn": load_balancer["LoadBalancerArn"],
        "LoadBalancerName": load_balancer["LoadBalancerName"],
        "LoadBalancerType": load_balancer.get("Type") or _LOAD_BALANCER_KINDS.get(kind, kind),
        "Tags": tags,
    }


@register(
    "aws.elbv2.listener",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeTags",
    custodian=(),
)
class ListenerConnector(Connector):
    """ELBv2 listeners of every load balancer: protocol, TLS policy, certificates, actions.

    One DescribeListeners per load balancer while listing (a load balancer deleted meanwhile
    has no listeners any more), tags from batched DescribeTags; describing makes no call.
    """

    config_shape = ConfigShape(
        api=("elbv2", "Listener"),
        attributes=("Arn", "LoadBalancerName", "LoadBalancerType", "Name", "Tags"),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every listener of every load balancer, with its load balancer and tags attached."""
        elbv2 = scope.client("elbv2")
        listeners: list[dict[str, Any]] = []
        for balancer in paginate(elbv2, "describe_load_balancers", "LoadBalancers"):
            arn = balancer["LoadBalancerArn"]
            try:
                found = paginate(elbv2, "describe_listeners", "Listeners", LoadBalancerArn=arn)
            except ClientError as exc:
                if error_code(exc) in _GONE:
                    continue
                raise
            listeners += [{**x, "LoadBalancer": balancer} for x in found]
        tags = _tags_by(elbv2, "ResourceArns", "ResourceArn", [x["ListenerArn"] for x in listeners])
        return [{**x, "Tags": tags.get(x["ListenerArn"], [])} for x in listeners]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The listener as listed, normalised."""
        listener = {k: v for k, v in resource.items() if k != "LoadBalancer"}
        config = listener_config(listener, resource["LoadBalancer"])
        return _asset(config["Arn"], config["Name"], scope, config)
