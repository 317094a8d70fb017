"""Route 53 hosted zones: DNS query logging, DNSSEC signing and private zones' VPCs."""

from __future__ import annotations

from typing import Any

from pacbot.inventory.connectors._aws import flatten_tags, optional, paginate, plain
from pacbot.inventory.connectors._listing import canonical
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

_GONE = ("NoSuchHostedZone",)
_TAG_BATCH = 10  # ListTagsForResources takes at most 10 hosted zones per call
# The record count moves with every record change; that is DNS data, not zone configuration.
_DROPPED = frozenset({"ResourceRecordSetCount", "Id", "Tags", "QueryLoggingConfigs"})


def zone_id(zone: dict[str, Any]) -> str:
    """The bare zone id (``Z0123…``) of a listed zone whose ``Id`` is ``/hostedzone/Z0123…``."""
    return str(zone["Id"]).rsplit("/", 1)[-1]


def _tags(route53: Any, ids: list[str]) -> dict[str, Any]:
    """ListTagsForResources in batches of 10: ``{zone id: [tags]}``."""
    tags: dict[str, Any] = {}
    for start in range(0, len(ids), _TAG_BATCH):
        answer = route53.list_tags_for_resources(
            ResourceType="hostedzone", ResourceIds=ids[start : start + _TAG_BATCH]
        )
        tags.update({t["ResourceId"]: t.get("Tags", []) for t in answer["ResourceTagSets"]})
    return tags


def zone_config(
    zone: dict[str, Any], vpcs: list[dict[str, Any]], dnssec: dict[str, Any] | None
) -> dict[str, Any]:
    """The zone with its VPCs (private), query logging configs and DNSSEC status (public)."""
    bare = zone_id(zone)
    logging = canonical(
        {"Id": c["Id"], "CloudWatchLogsLogGroupArn": c["CloudWatchLogsLogGroupArn"]}
        for c in zone.get("QueryLoggingConfigs", [])
    )
    return {
        "Arn": f"arn:aws:route53:::hostedzone/{bare}",
        "HostedZoneId": bare,
        **plain({k: v for k, v in zone.items() if k not in _DROPPED}),
        "PrivateZone": bool((zone.get("Config") or {}).get("PrivateZone")),
        "VPCs": canonical(plain(vpcs)),
        "QueryLoggingConfigs": logging,
        "Dnssec": plain(dnssec),
        "Tags": flatten_tags(zone.get("Tags")),
    }


@connector(
    "aws.route53.hosted_zone",
    service="route53",
    scope="global",
    permissions=(
        "route53:ListHostedZones",
        "route53:ListQueryLoggingConfigs",
        "route53:ListTagsForResources",
        "route53:GetHostedZone",
        "route53:GetDNSSEC",
    ),
    id_field="Arn",
    name_field="Name",
    custodian=("hostedzone",),
)
class HostedZoneConnector(Connector):
    """Hosted zones with query logging (one paged call) and tags (batches of 10) attached.

    Per zone: GetHostedZone for a private zone's VPCs, GetDNSSEC for a public zone's signing
    status (``Dnssec`` is null for private zones, which cannot be signed).
    """

    config_shape = ConfigShape(
        api=("route53", "HostedZone"),
        attributes=(
            "Arn",
            "Dnssec",
            "HostedZoneId",
            "PrivateZone",
            "QueryLoggingConfigs",
            "Tags",
            "VPCs",
        ),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every hosted zone of the account with its query logging configs and tags."""
        route53 = scope.client("route53")
        zones = paginate(route53, "list_hosted_zones", "HostedZones")
        configs = paginate(route53, "list_query_logging_configs", "QueryLoggingConfigs")
        tags = _tags(route53, [zone_id(z) for z in zones])
        return [
            {
                **z,
                "QueryLoggingConfigs": [
                    c for c in configs if c["HostedZoneId"].rsplit("/", 1)[-1] == zone_id(z)
                ],
                "Tags": tags.get(zone_id(z), []),
            }
            for z in zones
        ]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """VPCs of a private zone or DNSSEC status of a public one; None once the zone is gone."""
        route53 = scope.client("route53")
        bare = zone_id(resource)
        private = bool((resource.get("Config") or {}).get("PrivateZone"))
        vpcs: list[dict[str, Any]] = []
        dnssec: dict[str, Any] | None = None
        if private:
            answer = optional(route53.get_hosted_zone, missing=_GONE, Id=bare)
            if answer is None:
                return None
            vpcs = answer.get("VPCs", [])
        else:
            answer = optional(route53.get_dnssec, missing=_GONE, HostedZoneId=bare)
            if answer is None:
                return None
            dnssec = {"ServeSignature": answer.get("Status", {}).get("ServeSignature")}
        config = zone_config(resource, vpcs, dnssec)
        return DiscoveredAsset(
            asset_id=config["Arn"],
            name=config["Name"],
            region=scope.region,
            config=config,
            tags=config["Tags"],
        )
