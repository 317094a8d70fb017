"""``security-group-rules``: no ingress (or egress) rule matches a described shape.

The general form of a security-group rule check, with Cloud Custodian's ``ingress``/``egress``
semantics so its filters convert one to one. Rules are expanded as the console shows them:
one rule per source (CIDR, IPv6 CIDR, prefix list or group pair). A rule *matches* when each
criterion given holds for it (``match: any``: when one does); the check fails when a rule
matches and passes when none does. The criteria:

- ``ports``: the rule's port range covers one of them;
- ``only_ports``: the rule opens a port range other than exactly one of them;
- ``cidr`` / ``cidr_v6``: a value check (``op``, ``value``, ``value_type``) holds for the
  rule's ``CidrIp`` / ``CidrIpv6``; a rule without such a source does not match;
- ``self_reference``: the rule does (true) or does not (false) reference its own group;
- ``rule``: value checks on the rule itself (``IpProtocol``, ``FromPort``, ``Description``...).

A rule without a port range (all protocols) is judged by the other criteria alone, as
Custodian does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from pacbot.assessor.conditions.nodes import Condition
from pacbot.assessor.conditions.outcome import ConditionError, Outcome
from pacbot.assessor.conditions.paths import compile_path
from pacbot.assessor.conditions.registry import CHECKS, CheckArgs

_SOURCES = ("IpRanges", "Ipv6Ranges", "PrefixListIds", "UserIdGroupPairs")


def _leaf(raw: dict[str, Any], key: str) -> Condition:
    """A value check on ``key``, compiled as a policy's would be (no params)."""
    from pacbot.assessor.conditions.compiler import compile_condition

    leaf = {**raw, "key": key}
    leaf.setdefault("op", "eq")
    try:
        return compile_condition(leaf, (key,), {}, CHECKS)
    except ConditionError as exc:
        raise ValueError(exc.message) from None


def _port(value: int) -> int:
    if not 0 <= value <= 65535:
        raise ValueError(f"port {value} is outside 0-65535")
    return value


class RuleShape(CheckArgs):
    """What a matching rule looks like; at least one criterion."""

    key: str = "IpPermissions"
    ports: list[int] | None = Field(default=None, min_length=1)
    only_ports: list[int] | None = Field(default=None, min_length=1)
    cidr: dict[str, Any] | None = None
    cidr_v6: dict[str, Any] | None = None
    self_reference: bool | None = None
    rule: list[dict[str, Any]] = Field(default_factory=list)
    match: Literal["all", "any"] = "all"

    @field_validator("ports", "only_ports")
    @classmethod
    def _ports(cls, ports: list[int] | None) -> list[int] | None:
        return None if ports is None else [_port(p) for p in ports]

    @field_validator("cidr", "cidr_v6")
    @classmethod
    def _cidr_check(cls, check: dict[str, Any] | None) -> dict[str, Any] | None:
        if check is not None:
            _leaf(check, "CidrIp")
        return check

    @field_validator("rule")
    @classmethod
    def _rule_checks(cls, checks: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for check in checks:
            if not isinstance(check.get("key"), str):
                raise ValueError("each rule check needs a key (a field of the rule)")
            _leaf(check, check["key"])
        return checks

    @field_validator("key")
    @classmethod
    def _key(cls, key: str) -> str:
        compile_path(key)
        return key

    @model_validator(mode="after")
    def _some_criterion(self) -> RuleShape:
        given = (self.ports, self.only_ports, self.cidr, self.cidr_v6, self.self_reference)
        if all(c is None for c in given) and not self.rule:
            raise ValueError(
                "give at least one of ports, only_ports, cidr, cidr_v6, self_reference, rule"
            )
        return self


def expanded(rules: list[Any]) -> Iterator[dict[str, Any]]:
    """Each rule once per source, the other source lists emptied (the console's view)."""
    for rule in rules:
        if not isinstance(rule, dict):
            continue
        base = {k: v for k, v in rule.items() if k not in _SOURCES}
        for source in _SOURCES:
            for entry in rule.get(source) or []:
                yield {**base, **{s: [] for s in _SOURCES}, source: [entry]}


def _ports_hit(rule: dict[str, Any], ports: list[int] | None, only: list[int] | None) -> Any:
    """True/False when the rule has a port range and ports are asked about; None otherwise."""
    low, high = rule.get("FromPort"), rule.get("ToPort")
    if low is None or high is None or (ports is None and only is None):
        return None
    found: bool | None = None
    if ports is not None:
        found = any(low <= port <= high for port in ports)
    if only is not None:
        exactly = any(port == low == high for port in only)
        found = False if exactly else (True if found is None else found)
    return found


def _cidr_hit(rule: dict[str, Any], leaf: Condition | None, source: str) -> Any:
    if leaf is None:
        return None
    for entry in rule.get(source) or []:
        if isinstance(entry, dict) and leaf.evaluate(entry, {}).status == "pass":
            return True
    return False


def _self_hit(rule: dict[str, Any], wanted: bool | None, group_id: Any) -> Any:
    if wanted is None:
        return None
    pairs = rule.get("UserIdGroupPairs") or []
    referenced = any(isinstance(p, dict) and p.get("GroupId") == group_id for p in pairs)
    return referenced if wanted else not referenced


@CHECKS.register("security-group-rules", args=RuleShape)
def security_group_rules(
    config: dict[str, Any],
    key: str,
    ports: list[int] | None,
    only_ports: list[int] | None,
    cidr: dict[str, Any] | None,
    cidr_v6: dict[str, Any] | None,
    self_reference: bool | None,
    rule: list[dict[str, Any]],
    match: str,
) -> Outcome:
    """Fail when a rule of the group (at ``key``) matches the shape described; else pass."""
    rules = compile_path(key)(config)
    if rules is None:
        return Outcome("not_applicable", f"{key} is missing", {key: None})
    if not isinstance(rules, list):
        return Outcome("error", f"{key} is not a list of rules", {key: rules})
    v4 = _leaf(cidr, "CidrIp") if cidr is not None else None
    v6 = _leaf(cidr_v6, "CidrIpv6") if cidr_v6 is not None else None
    on_rule = [_leaf(leaf, str(leaf["key"])) for leaf in rule]
    decide = all if match == "all" else any
    matched = []
    for one in expanded(rules):
        found = [bool(leaf.evaluate(one, {}).status == "pass") for leaf in on_rule]
        found += [
            hit
            for hit in (
                _ports_hit(one, ports, only_ports),
                _cidr_hit(one, v4, "IpRanges"),
                _cidr_hit(one, v6, "Ipv6Ranges"),
                _self_hit(one, self_reference, config.get("GroupId")),
            )
            if hit is not None
        ]
        if found and decide(found):
            matched.append(one)
    evidence = {key: rules, "matched": matched}
    if matched:
        return Outcome("fail", f"{len(matched)} rule(s) at {key} match the shape", evidence)
    return Outcome("pass", f"no rule at {key} matches the shape", evidence)
