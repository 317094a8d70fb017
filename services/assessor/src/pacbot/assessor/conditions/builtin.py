"""Checks shipped with the assessor, registered on the default registry at import.

Every check describes a *compliant* resource: it passes when the resource is fine and fails
when it finds the problem its name describes (an admin grant, a public principal, an open
port, an old TLS floor, a stale credential). Each returns the values that decided it.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any, Literal

import jmespath
from jmespath.exceptions import JMESPathError
from pydantic import Field, field_validator

from pacbot.assessor.conditions.networks import covers, span, spans
from pacbot.assessor.conditions.outcome import Outcome
from pacbot.assessor.conditions.paths import compile_path
from pacbot.assessor.conditions.registry import CHECKS, CheckArgs
from pacbot.assessor.conditions.value_types import parse_network, parse_timestamp
from pacbot.common.iam_documents import is_public_statement, listed, statements

PUBLIC_ACCESS_BLOCK_FLAGS = (
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
)


@CHECKS.register("s3-public-access-block-enabled")
def public_access_block_enabled(config: dict[str, Any], flags: list[str] | None = None) -> Outcome:
    """Pass when the bucket's PublicAccessBlock sets every named flag (default: all four)."""
    block = config.get("PublicAccessBlock") or {}
    wanted = flags or list(PUBLIC_ACCESS_BLOCK_FLAGS)
    missing = [flag for flag in wanted if block.get(flag) is not True]
    evidence = {"PublicAccessBlock": config.get("PublicAccessBlock")}
    if missing:
        return Outcome.of(False, f"PublicAccessBlock does not set {', '.join(missing)}", evidence)
    return Outcome.of(True, "PublicAccessBlock blocks all public access", evidence)


class KeyArgs(CheckArgs):
    """Arguments naming a JMESPath ``key`` into the config."""

    key: str

    @field_validator("key")
    @classmethod
    def _compiles(cls, key: str) -> str:
        try:
            jmespath.compile(key)
        except JMESPathError as exc:
            raise ValueError(f"invalid JMESPath {key!r}: {str(exc).splitlines()[0]}") from None
        return key


def _search(key: str, config: dict[str, Any]) -> Any:
    return compile_path(key)(config)  # compiled once per key, then a plain closure


# --- IAM and resource policies ------------------------------------------------------------


def _documents(found: Any) -> list[dict[str, Any]]:
    """Policy documents at a key: one document, a JSON string, or a list of either."""
    items = found if isinstance(found, list) else [found]
    documents = []
    for item in items:
        if item is None:
            continue
        if isinstance(item, str):
            item = json.loads(item)
        if not isinstance(item, dict):
            raise ValueError(f"expected a policy document, got {type(item).__name__}")
        documents.append(item)
    return documents


class PolicyDocumentArgs(KeyArgs):
    """``key``: JMESPath to a policy document, a JSON string of one, or a list of them."""

    key: str = "PolicyDocument"


def _policy_check(
    config: dict[str, Any], key: str, offends: Any, problem: str, fine: str
) -> Outcome:
    found = _search(key, config)
    try:
        documents = _documents(found)
    except (ValueError, json.JSONDecodeError) as exc:
        return Outcome("error", f"{key}: {exc}", {key: found})
    bad = [s for d in documents for s in statements(d) if offends(s)]
    if bad:
        return Outcome("fail", f"{key} {problem}", {key: found, "statements": bad})
    if not documents:
        return Outcome("pass", f"{key} holds no policy document", {key: found})
    return Outcome("pass", f"{key} {fine}", {key: found})


def _grants_admin(statement: dict[str, Any]) -> bool:
    return (
        statement.get("Effect") == "Allow"
        and any(a in ("*", "*:*") for a in listed(statement.get("Action")))
        and "*" in listed(statement.get("Resource"))
    )


@CHECKS.register("iam-policy-allows-admin", args=PolicyDocumentArgs)
def iam_policy_allows_admin(config: dict[str, Any], key: str) -> Outcome:
    """Fail when a policy document has an Allow statement of Action "*" on Resource "*"."""
    return _policy_check(
        config,
        key,
        _grants_admin,
        'allows Action "*" on Resource "*" (full administrator)',
        "grants no full administrator access",
    )


@CHECKS.register("iam-policy-public-principal", args=PolicyDocumentArgs)
def iam_policy_public_principal(config: dict[str, Any], key: str) -> Outcome:
    """Fail when a resource policy allows Principal "*" (or AWS "*") without a Condition."""
    return _policy_check(
        config,
        key,
        is_public_statement,
        'allows Principal "*" with no Condition (public)',
        "allows no unconditioned public principal",
    )


# --- Security groups ----------------------------------------------------------------------


class OpenPortsArgs(CheckArgs):
    """``ports`` to keep closed to ``cidrs``; ``key`` to the ingress rules."""

    ports: list[int] = Field(min_length=1)
    cidrs: list[str] = Field(default_factory=lambda: ["0.0.0.0/0", "::/0"], min_length=1)
    key: str = "IpPermissions"

    @field_validator("ports")
    @classmethod
    def _ports(cls, ports: list[int]) -> list[int]:
        for port in ports:
            if not 0 <= port <= 65535:
                raise ValueError(f"port {port} is outside 0-65535")
        return ports

    @field_validator("cidrs")
    @classmethod
    def _cidrs(cls, cidrs: list[str]) -> list[str]:
        for cidr in cidrs:
            parse_network(cidr)
        return cidrs

    @field_validator("key")
    @classmethod
    def _key(cls, key: str) -> str:
        return KeyArgs._compiles(key)


_ALL_PROTOCOLS = ("-1", "all")


def _rule_ports(rule: dict[str, Any], ports: list[int]) -> list[int]:
    protocol = str(rule.get("IpProtocol", "-1")).lower()
    if protocol in _ALL_PROTOCOLS:
        return list(ports)
    if protocol not in ("tcp", "udp", "6", "17"):
        return []
    low, high = rule.get("FromPort"), rule.get("ToPort")
    if low is None or high is None:
        return list(ports)
    return [p for p in ports if int(low) <= p <= int(high)]


def _rule_peers(rule: dict[str, Any]) -> list[str]:
    peers = [r.get("CidrIp") for r in rule.get("IpRanges") or [] if isinstance(r, dict)]
    peers += [r.get("CidrIpv6") for r in rule.get("Ipv6Ranges") or [] if isinstance(r, dict)]
    return [p for p in peers if isinstance(p, str)]


@CHECKS.register("security-group-open-ports", args=OpenPortsArgs)
def security_group_open_ports(
    config: dict[str, Any], ports: list[int], cidrs: list[str], key: str
) -> Outcome:
    """Fail when an ingress rule open to any of ``cidrs`` covers any of ``ports``.

    A rule is open to a CIDR when its range contains it (0.0.0.0/0 is open to 10.0.0.0/8);
    protocol -1 covers every port.
    """
    rules = _search(key, config)
    if rules is None:
        return Outcome("not_applicable", f"{key} is missing", {key: None})
    if not isinstance(rules, list):
        return Outcome("error", f"{key} is not a list of rules", {key: rules})
    targets = spans(tuple(cidrs))
    open_rules = []
    for rule in rules:
        hit_ports = _rule_ports(rule, ports)
        if not hit_ports:
            continue
        peers = []
        for peer in _rule_peers(rule):
            peer_span = span(peer)
            if any(covers(peer_span, target) for target in targets):
                peers.append(peer)
        if peers:
            open_rules.append(
                {"IpProtocol": rule.get("IpProtocol"), "ports": hit_ports, "cidrs": peers}
            )
    evidence = {key: rules, "open": open_rules}
    if open_rules:
        shown = sorted({p for r in open_rules for p in r["ports"]})
        peers = sorted({c for r in open_rules for c in r["cidrs"]})
        return Outcome("fail", f"ports {shown} are open to {', '.join(peers)}", evidence)
    return Outcome("pass", f"none of ports {ports} is open to {', '.join(cidrs)}", evidence)


# --- TLS policies -------------------------------------------------------------------------

Version = tuple[int, int]
_SSL3: Version = (0, 3)
_TLS_PATTERNS: tuple[tuple[re.Pattern[str], int | None], ...] = (
    (re.compile(r"TLS13-1-(\d)"), None),  # ELBSecurityPolicy-TLS13-1-2-2021-06
    (
        re.compile(r"(?:^|-)(?:TLS|FS|Min-TLS)-1-(\d)"),
        None,
    ),  # ...-TLS-1-2-2017-01, Policy-Min-TLS-1-2
    (re.compile(r"^TLS_1_(\d)$"), None),  # API Gateway TLS_1_2
    (re.compile(r"^TLSv1\.(\d)"), None),  # CloudFront TLSv1.2_2021
    (re.compile(r"^TLSv1(?:_\d{4})?$"), 0),  # CloudFront TLSv1, TLSv1_2016
    (re.compile(r"^ELBSecurityPolicy-(?:FS-)?\d{4}-\d{2}$"), 0),  # ELBSecurityPolicy-2016-08
)


def tls_floor(name: str) -> Version | None:
    """The lowest protocol version a named TLS policy accepts, or None if unknown."""
    if name.upper().startswith("SSLV3") or name == "ELBSecurityPolicy-2014-01":
        return _SSL3
    for pattern, minor in _TLS_PATTERNS:
        match = pattern.search(name)
        if match:
            return (1, int(match.group(1)) if minor is None else minor)
    return None


class TlsArgs(KeyArgs):
    """``key``: JMESPath to a TLS policy name (or list of names); ``min_version``: e.g. 1.2."""

    min_version: Literal["1.0", "1.1", "1.2", "1.3"] = "1.2"


def _show_version(version: Version) -> str:
    return "SSLv3" if version == _SSL3 else f"TLS {version[0]}.{version[1]}"


@CHECKS.register("tls-policy-minimum", args=TlsArgs)
def tls_policy_minimum(config: dict[str, Any], key: str, min_version: str) -> Outcome:
    """Fail when a named TLS/SSL policy accepts a protocol older than ``min_version``.

    Knows ELB/ALB/NLB ``ELBSecurityPolicy-*``, CloudFront ``TLSv1.2_2021``, OpenSearch
    ``Policy-Min-TLS-1-2-*`` and API Gateway ``TLS_1_2`` names; an unknown name is an error,
    no name at all is not applicable (e.g. a plain HTTP listener).
    """
    found = _search(key, config)
    names = [n for n in listed(found) if n is not None]
    evidence: dict[str, Any] = {key: found}
    if not names:
        return Outcome("not_applicable", f"{key} names no TLS policy", evidence)
    want = (1, int(min_version.split(".")[1]))
    unknown = [n for n in names if not isinstance(n, str) or tls_floor(n) is None]
    floors = {n: tls_floor(n) for n in names if n not in unknown}
    weak = {n: _show_version(v) for n, v in floors.items() if v is not None and v < want}
    if weak:
        shown = ", ".join(f"{n} ({v})" for n, v in weak.items())
        return Outcome("fail", f"{key}: {shown} accept(s) less than TLS {min_version}", evidence)
    if unknown:
        return Outcome("error", f"{key}: unknown TLS policy {unknown[0]!r}", evidence)
    return Outcome(
        "pass", f"{key}: {', '.join(names)} require at least TLS {min_version}", evidence
    )


# --- Credentials --------------------------------------------------------------------------


class CredentialAgeArgs(KeyArgs):
    """Access keys at ``key`` must be younger than ``max_days`` by ``basis``."""

    key: str = "AccessKeys"
    max_days: int = Field(ge=0)
    only_active: bool = True
    basis: Literal["created", "last_used"] = "created"


@CHECKS.register("credential-age", args=CredentialAgeArgs)
def credential_age(
    config: dict[str, Any], key: str, max_days: int, only_active: bool, basis: str
) -> Outcome:
    """Fail when an access key is older than ``max_days``.

    ``basis: created`` reads CreateDate (rotation); ``basis: last_used`` reads LastUsedDate,
    falling back to CreateDate for a key never used (unused credentials). With
    ``only_active`` (the default) inactive keys are ignored.
    """
    found = _search(key, config)
    evidence: dict[str, Any] = {key: found}
    if found is None:
        return Outcome("pass", f"{key}: no access keys", evidence)
    if not isinstance(found, list):
        return Outcome("error", f"{key} is not a list of access keys", evidence)
    keys = [k for k in found if isinstance(k, dict)]
    if only_active:
        keys = [k for k in keys if k.get("Status", "Active") == "Active"]
    now = datetime.now(UTC)
    stale = {}
    for access_key in keys:
        stamp = access_key.get("CreateDate")
        if basis == "last_used" and access_key.get("LastUsedDate"):
            stamp = access_key["LastUsedDate"]
        if stamp is None:
            return Outcome(
                "error", f"{key}: {access_key.get('AccessKeyId')} has no CreateDate", evidence
            )
        try:
            days = (now - parse_timestamp(stamp)).total_seconds() / 86400
        except ValueError as exc:
            return Outcome("error", f"{key}: {exc}", evidence)
        if days > max_days:
            stale[str(access_key.get("AccessKeyId"))] = int(days)
    what = "created" if basis == "created" else "last used"
    evidence["stale_days"] = stale
    if stale:
        shown = ", ".join(f"{k} ({d} days)" for k, d in stale.items())
        return Outcome("fail", f"{what} more than {max_days} days ago: {shown}", evidence)
    if not keys:
        return Outcome("pass", f"{key}: no {'active ' if only_active else ''}access keys", evidence)
    return Outcome(
        "pass",
        f"every {'active ' if only_active else ''}key {what} within {max_days} days",
        evidence,
    )
