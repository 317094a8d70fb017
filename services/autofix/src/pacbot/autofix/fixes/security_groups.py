"""Security group fixes: revoke ingress open to the internet on given ports; empty default groups.

A group's rules are read as *entries*: one protocol and port range with exactly one peer (a
CIDR, an IPv6 CIDR, a prefix list or a group), sorted. That is the unit AWS authorizes and
revokes, so a fix can revoke one CIDR of a permission and leave the others, and a rollback
re-authorizes exactly the entries that were revoked, descriptions included. Revokes pass the
entries as described, descriptions too: AWS matches rules without them, and moto only matches a
group-referencing rule when its description is passed as well.

Violations carry the group's ARN as asset id (its name is the Name tag or GroupName), so the
group id is taken from the asset id.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from botocore.exceptions import ClientError

from pacbot.autofix.fixes._base import AccountAws, ApiCall, Fix, FixTarget, ResourceGone, error_code
from pacbot.autofix.fixes._registry import FIXES

Entry = dict[str, Any]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_RANGE_KEYS = ("IpProtocol", "FromPort", "ToPort")
PEER_KEYS: Mapping[str, tuple[str, ...]] = {
    "IpRanges": ("CidrIp", "Description"),
    "Ipv6Ranges": ("CidrIpv6", "Description"),
    "PrefixListIds": ("PrefixListId", "Description"),
    "UserIdGroupPairs": ("GroupId", "UserId", "VpcId", "VpcPeeringConnectionId", "Description"),
}
_GONE = ("InvalidGroup.NotFound", "InvalidGroupId.NotFound")
_ALL_PROTOCOLS = ("-1", "all")
_PORT_PROTOCOLS = ("tcp", "udp", "6", "17")
WORLD = ("0.0.0.0/0", "::/0")


def entries(permissions: Iterable[dict[str, Any]] | None) -> list[Entry]:
    """Describe's IpPermissions as entries of one peer each, in a stable order."""
    found = []
    for permission in permissions or []:
        head = {k: permission[k] for k in _RANGE_KEYS if permission.get(k) is not None}
        for kind, keys in PEER_KEYS.items():
            for peer in permission.get(kind) or []:
                found.append({**head, kind: [{k: peer[k] for k in keys if k in peer}]})
    return sorted(found, key=lambda e: json.dumps(e, sort_keys=True))


def _group_id(target: FixTarget) -> str:
    """The group id at the end of the asset id (an ARN ``...:security-group/sg-...``)."""
    group_id = target.asset_id.rsplit("/", 1)[-1]
    if not group_id.startswith("sg-"):
        raise ValueError(f"{target.asset_id} does not name a security group")
    return group_id


def _describe(aws: AccountAws, target: FixTarget) -> dict[str, Any]:
    group_id = _group_id(target)
    try:
        response = aws.client("ec2").describe_security_groups(GroupIds=[group_id])
    except ClientError as exc:
        if error_code(exc) in _GONE:
            raise ResourceGone(f"security group {group_id} no longer exists") from exc
        raise
    group: dict[str, Any] = response["SecurityGroups"][0]
    return group


def _change(operation: str, target: FixTarget, chosen: list[Entry]) -> list[ApiCall]:
    """One call over ``chosen`` (nothing when there is none)."""
    if not chosen:
        return []
    return [ApiCall("ec2", operation, {"GroupId": _group_id(target), "IpPermissions": chosen})]


# --- what "open" means: the assessor's security-group-open-ports check, mirrored ------------


@dataclass(frozen=True)
class OpenRule:
    """Which ingress entries a policy calls open: its ``ports`` to ``cidrs``, or all traffic.

    With ``ports`` an entry is open like ``security-group-open-ports`` says: its protocol is -1
    (or "all"), or tcp/udp with a port range (or none) covering one of ``ports``, and its CIDR
    contains one of ``cidrs``. With ``all_traffic`` it is open like
    aws-ec2-sg-no-unrestricted-all-traffic says: protocol "-1" from exactly 0.0.0.0/0 or ::/0.
    """

    ports: tuple[int, ...] = ()
    cidrs: tuple[str, ...] = WORLD
    all_traffic: bool = False

    @classmethod
    def of(cls, params: Mapping[str, Any]) -> OpenRule:
        """The rule an autofix block's params give: ``ports`` and ``cidrs``, or ``all_traffic``."""
        rule = cls(
            ports=tuple(int(p) for p in params.get("ports") or ()),
            cidrs=tuple(params.get("cidrs") or WORLD),
            all_traffic=bool(params.get("all_traffic", False)),
        )
        if not rule.ports and not rule.all_traffic:
            raise ValueError("the fix needs params ports (and cidrs) or all_traffic: true")
        for cidr in rule.cidrs:
            _network(cidr)
        return rule

    def is_open(self, entry: Entry) -> bool:
        """Whether ``entry`` is one of the policy's open rules."""
        peer = _cidr(entry)
        if peer is None:
            return False
        if self.all_traffic:
            return entry.get("IpProtocol") == "-1" and peer in WORLD
        return _covers_port(entry, self.ports) and any(
            _covers(peer, cidr.strip()) for cidr in self.cidrs
        )


def _cidr(entry: Entry) -> str | None:
    for kind, key in (("IpRanges", "CidrIp"), ("Ipv6Ranges", "CidrIpv6")):
        for peer in entry.get(kind) or []:
            if isinstance(peer.get(key), str):
                return str(peer[key])
    return None


def _covers_port(entry: Entry, ports: tuple[int, ...]) -> bool:
    protocol = str(entry.get("IpProtocol", "-1")).lower()
    if protocol in _ALL_PROTOCOLS:
        return True
    if protocol not in _PORT_PROTOCOLS:
        return False
    low, high = entry.get("FromPort"), entry.get("ToPort")
    if low is None or high is None:
        return True
    return any(int(low) <= port <= int(high) for port in ports)


@lru_cache(maxsize=256)
def _network(cidr: str) -> Network:
    return ipaddress.ip_network(cidr, strict=False)


def _covers(peer: str, cidr: str) -> bool:
    """Whether ``cidr`` lies inside the rule's ``peer`` range (0.0.0.0/0 covers 10.0.0.0/8)."""
    outer, inner = _network(peer), _network(cidr)
    return (
        outer.version == inner.version
        and int(outer.network_address) <= int(inner.network_address)
        and int(inner.broadcast_address) <= int(outer.broadcast_address)
    )


# --- fixes --------------------------------------------------------------------------------


@FIXES.register
class Ec2SgRevokeWorldIngress(Fix):
    """Revokes the ingress entries open to the internet on the policy's ports, nothing else.

    Params: ``ports`` and ``cidrs`` (default 0.0.0.0/0 and ::/0) as the policy's
    ``security-group-open-ports`` condition has them, or ``all_traffic: true`` for protocol -1
    rules from 0.0.0.0/0 or ::/0. An entry whose port range spans a policy port goes whole
    (AWS revokes ranges as they were authorized). Other CIDRs of the same permission, other
    ports, and egress stay. Rollback re-authorizes exactly the revoked entries.
    """

    name = "ec2-sg-revoke-world-ingress"
    resource_type = "aws.ec2.security_group"
    policies = (
        "aws-ec2-sg-no-open-admin-ports-ipv4",
        "aws-ec2-sg-no-open-admin-ports-ipv6",
        "aws-ec2-sg-no-open-database-ports",
        "aws-ec2-sg-no-unrestricted-all-traffic",
    )
    read_permissions = ("ec2:DescribeSecurityGroups",)
    write_permissions = ("ec2:RevokeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupIngress")
    reversible = True
    backs_up = "every ingress entry of the group (protocol, ports, one peer, description)"
    verifies = "describes the group again and requires no ingress entry the policy calls open"
    description = "Revoke the security group's ingress rules open to the internet on policy ports"

    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """The group's ingress entries."""
        return {"Ingress": entries(_describe(aws, target).get("IpPermissions"))}

    def is_compliant(self, current: dict[str, Any], target: FixTarget) -> bool:
        """No ingress entry is open on the policy's ports."""
        return not self._open(current, target)

    def calls(self, current: dict[str, Any], target: FixTarget) -> list[ApiCall]:
        """One RevokeSecurityGroupIngress of the open entries."""
        return _change("revoke_security_group_ingress", target, self._open(current, target))

    def rollback_calls(
        self, backup: dict[str, Any], current: dict[str, Any], target: FixTarget
    ) -> list[ApiCall]:
        """One AuthorizeSecurityGroupIngress of the backed-up open entries now missing."""
        missing = [e for e in self._open(backup, target) if e not in current["Ingress"]]
        return _change("authorize_security_group_ingress", target, missing)

    @staticmethod
    def _open(config: dict[str, Any], target: FixTarget) -> list[Entry]:
        rule = OpenRule.of(target.params)
        return [e for e in config["Ingress"] if rule.is_open(e)]


@FIXES.register
class Ec2SgDefaultNoRules(Fix):
    """Revokes every ingress and egress rule of a VPC's default security group.

    Other groups are left alone (the policy passes them). Rollback re-authorizes every rule
    the group had. Anything still using the default group loses its traffic: that is the
    point of the policy, so the grace period is the owner's time to move it.
    """

    name = "ec2-sg-default-no-rules"
    resource_type = "aws.ec2.security_group"
    policies = ("aws-ec2-sg-default-restricts-all",)
    read_permissions = ("ec2:DescribeSecurityGroups",)
    write_permissions = (
        "ec2:RevokeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:AuthorizeSecurityGroupEgress",
    )
    reversible = True
    backs_up = "the group's name and every ingress and egress entry (with descriptions)"
    verifies = "describes the group again and requires no rule when it is a default group"
    description = "Remove every rule from the VPC's default security group"

    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """The group's name and its ingress and egress entries."""
        group = _describe(aws, target)
        return {
            "GroupName": group.get("GroupName"),
            "Ingress": entries(group.get("IpPermissions")),
            "Egress": entries(group.get("IpPermissionsEgress")),
        }

    def is_compliant(self, current: dict[str, Any], target: FixTarget) -> bool:
        """Not a default group, or one with no rule either way."""
        return current.get("GroupName") != "default" or not (
            current["Ingress"] or current["Egress"]
        )

    def calls(self, current: dict[str, Any], target: FixTarget) -> list[ApiCall]:
        """Revoke all ingress, then all egress (each call only when there is some)."""
        if self.is_compliant(current, target):
            return []
        return [
            *_change("revoke_security_group_ingress", target, current["Ingress"]),
            *_change("revoke_security_group_egress", target, current["Egress"]),
        ]

    def rollback_calls(
        self, backup: dict[str, Any], current: dict[str, Any], target: FixTarget
    ) -> list[ApiCall]:
        """Re-authorize the backed-up ingress and egress entries that are missing."""
        ingress = [e for e in backup["Ingress"] if e not in current["Ingress"]]
        egress = [e for e in backup["Egress"] if e not in current["Egress"]]
        return [
            *_change("authorize_security_group_ingress", target, ingress),
            *_change("authorize_security_group_egress", target, egress),
        ]
