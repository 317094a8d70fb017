"""`pacbot policy import-custodian`: Cloud Custodian policies → PacBot policy YAML.

A Custodian policy's filters select the *non-compliant* resources; a PacBot condition
describes the *compliant* state. So the converted filters ``F`` become ``not: F``, simplified
(double negation dropped, De Morgan over ``and``/``or``, ``eq``↔``ne`` and friends swapped
where they are exact complements). Value filters map one to one (PacBot's value checks follow
Custodian's semantics); a few named filters map to PacBot checks. Anything else is reported
with its path in the Custodian file, and the policy holding it is not converted: dropping a
filter would widen what the policy flags.

Every generated document carries a pass and a fail example, derived mechanically from the
condition and verified by evaluating them, and is validated with the assessor's loader.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jmespath
import yaml
from jmespath.exceptions import JMESPathError

from pacbot.assessor.conditions import CHECKS, ConditionError, compile_condition
from pacbot.assessor.conditions.value_types import VALUE_TYPES
from pacbot.assessor.policies.compiled import CompiledPolicy
from pacbot.assessor.policies.loader import PolicyError, load_text
from pacbot.cli.custodian_map import (
    ACCOUNT_FILTERS,
    AGE_KEYS,
    COMPLEMENTS,
    IAM_POLICY_KEYS,
    NOT_CONVERTIBLE,
    RESOURCE_POLICY_KEYS,
    SPECIAL_VALUES,
    UNSUPPORTED_VALUE_FIELDS,
    UNSUPPORTED_VALUE_TYPES,
    resources,
)
from pacbot.common.iam_documents import listed

_SEVERITIES = ("critical", "high", "medium", "low")
_CATEGORIES = ("security", "governance", "cost", "tagging", "operations")
_OPEN_CIDRS = {"Cidr": "0.0.0.0/0", "CidrV6": "::/0"}
_CIDR_FIELDS = {"Cidr": "CidrIp", "CidrV6": "CidrIpv6"}


class Unconvertible(Exception):
    """A part of a Custodian policy that has no PacBot equivalent; ``path`` locates it."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass
class PolicyOutcome:
    """What became of one Custodian policy.

    ``converted``: every filter became part of the PacBot condition. ``partly converted``:
    some top-level filters (Custodian ands them) had no PacBot equivalent and were left out,
    so the policy flags more than the Custodian one did; it is written disabled, for review.
    ``not converted``: no document (unmapped resource, no filters, or a part that cannot be
    left out). ``duplicates``: shipped PacBot policies that judge the same thing.
    """

    index: int
    name: str
    file: str = "<custodian>"
    policy_id: str | None = None
    document: dict[str, Any] | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    notes: list[tuple[str, str]] = field(default_factory=list)  # ignored, approximations
    dropped: list[tuple[str, str]] = field(default_factory=list)  # left out of a partial one
    duplicates: list[str] = field(default_factory=list)

    @property
    def converted(self) -> bool:
        return self.document is not None and not self.problems and not self.dropped

    @property
    def status(self) -> str:
        if self.document is None or self.problems:
            return "not converted"
        return "partly converted" if self.dropped else "converted"

    def as_json(self) -> dict[str, Any]:
        """The outcome in the JSON report."""
        return {
            "file": self.file,
            "index": self.index,
            "name": self.name,
            "status": self.status,
            "policy_id": self.policy_id if self.document is not None else None,
            "unconvertible": [{"path": p, "reason": r} for p, r in self.problems + self.dropped],
            "notes": [{"path": p, "note": n} for p, n in self.notes],
            "duplicates": self.duplicates,
        }


@dataclass
class ImportResult:
    """Every policy's outcome; the documents of the converted (and partly converted) ones."""

    outcomes: list[PolicyOutcome] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # file-level problems

    @property
    def documents(self) -> list[dict[str, Any]]:
        return [o.document for o in self.outcomes if o.status != "not converted" and o.document]

    @property
    def ok(self) -> bool:
        return not self.problems and all(o.converted for o in self.outcomes)

    def report(self) -> str:
        """The human report: per policy, what converted and precisely what did not."""
        lines = [f"{path}: {why}" for path, why in self.problems]
        for o in self.outcomes:
            head = f"policies[{o.index}] ({o.name})"
            if o.status == "not converted":
                lines.append(f"{head}: NOT converted")
            else:
                lines.append(f"{head}: {o.status} to {o.policy_id}")
            lines.extend(f"  {path}: {why}" for path, why in o.problems)
            lines.extend(f"  {path}: left out: {why}" for path, why in o.dropped)
            lines.extend(f"  {path}: {why}" for path, why in o.notes)
            if o.duplicates:
                lines.append(f"  duplicates shipped policy {', '.join(o.duplicates)}")
        counts = {status: 0 for status in ("converted", "partly converted", "not converted")}
        for o in self.outcomes:
            counts[o.status] += 1
        summary = f"{counts['converted']} converted, {counts['not converted']} not converted"
        if counts["partly converted"]:
            summary = (
                f"{counts['converted']} converted, {counts['partly converted']} partly "
                f"converted, {counts['not converted']} not converted"
            )
        lines.append(summary)
        return "\n".join(lines)


# --------------------------------------------------------------------------- conversion


def convert_text(text: str, source: str = "<custodian>") -> ImportResult:
    """Convert a Custodian policy file's text (``source``: its path, for relative files)."""
    token = _SOURCE.set(Path(source) if source != "<custodian>" else None)
    try:
        return _convert_text(text, source)
    finally:
        _SOURCE.reset(token)


def _convert_text(text: str, source: str) -> ImportResult:
    result = ImportResult()
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        result.problems.append((source, f"invalid YAML: {exc}"))
        return result
    policies = data.get("policies") if isinstance(data, dict) else None
    if not isinstance(policies, list) or not policies:
        result.problems.append(("policies", "expected a non-empty 'policies' list"))
        return result
    seen: set[str] = set()
    for index, raw in enumerate(policies):
        outcome = _convert_policy(index, raw)
        outcome.file = source
        if outcome.policy_id is not None and outcome.document is not None:
            if outcome.policy_id in seen:
                outcome.problems.append(
                    (f"policies[{index}].name", f"duplicate policy id {outcome.policy_id!r}")
                )
            seen.add(outcome.policy_id)
        result.outcomes.append(outcome)
    return result


_CONTINUOUS_MODES = ("periodic", "cloudtrail", "config-rule", "config-poll-rule", "pull")


def _convert_policy(index: int, raw: Any) -> PolicyOutcome:
    base = f"policies[{index}]"
    if not isinstance(raw, dict):
        outcome = PolicyOutcome(index, "?")
        outcome.problems.append((base, "expected a mapping (a Custodian policy)"))
        return outcome
    name = str(raw.get("name") or f"policy-{index}")
    outcome = PolicyOutcome(index, name)
    resource = _map_resource(raw.get("resource"), raw.get("filters"))
    if resource is None:
        outcome.problems.append((f"{base}.resource", _unmapped(raw)))
    actions = raw.get("actions") or []
    if actions:
        names = [a if isinstance(a, str) else str(a.get("type", "?")) for a in actions]
        outcome.notes.append((f"{base}.actions", f"ignored: {', '.join(names)}"))
    if raw.get("mode"):
        outcome.notes.append((f"{base}.mode", _mode_note(raw["mode"])))
    filters = raw.get("filters") or []
    if not isinstance(filters, list) or not filters:
        outcome.problems.append(
            (
                f"{base}.filters",
                "no filters: the policy selects every resource, so its meaning is its actions "
                "(nothing to judge a resource's state by)",
            )
        )
        return outcome
    selected: list[dict[str, Any]] = []
    for i, item in enumerate(filters):
        try:
            selected.append(_filter(item, f"{base}.filters[{i}]", resource, outcome.notes))
        except Unconvertible as exc:
            outcome.dropped.extend(
                (e.path or f"{base}.filters[{i}]", e.reason) for e in _flatten(exc)
            )
    if resource is None or not selected:
        outcome.problems.extend(outcome.dropped)
        outcome.dropped = []
        return outcome
    condition = _negate(selected[0] if len(selected) == 1 else {"and": selected})
    document = _document(raw, name, resource, condition)
    if outcome.dropped:
        document["enabled"] = False
        left_out = "; ".join(f"{path}: {why}" for path, why in outcome.dropped)
        document["description"] += (
            f"\n\nPartly converted, so disabled until reviewed: these filters were left out, "
            f"so the policy flags more than the Custodian policy did: {left_out}"
        )
    _finish(outcome, base, document)
    return outcome


def _mode_note(mode: Any) -> str:
    kind = mode.get("type", "?") if isinstance(mode, dict) else mode
    if kind in _CONTINUOUS_MODES:
        return (
            f"mode {kind}: maps to PacBot's continuous assessment (every sweep and every "
            "change event re-judges the resource)"
        )
    return (
        f"mode {kind}: not imported; PacBot judges resource state continuously, whatever "
        "triggered the Custodian policy"
    )


def _finish(outcome: PolicyOutcome, base: str, document: dict[str, Any]) -> None:
    """Derive and check the examples; the outcome gets the document or says why not."""
    compiled = _compile(document)
    if isinstance(compiled, PolicyError):
        outcome.problems.append((base, f"generated policy does not load: {compiled}"))
        return
    examples = derive_examples(compiled)
    if examples is None:
        outcome.problems.append((f"{base}.filters", _no_examples(compiled)))
        return
    document["examples"] = {"pass": [examples[0]], "fail": [examples[1]]}
    checked = _compile(document)
    if isinstance(checked, PolicyError):
        outcome.problems.append((base, f"generated policy does not load: {checked}"))
        return
    mismatches = checked.example_mismatches()
    if mismatches:
        outcome.problems.append((base, f"generated examples disagree: {mismatches[0]}"))
        return
    outcome.policy_id = document["id"]
    outcome.document = document
    outcome.notes.extend(_undocumented_reads(checked, f"{base}.filters"))


def _undocumented_reads(policy: CompiledPolicy, path: str) -> list[tuple[str, str]]:
    """A note for each top-level attribute the policy reads that PacBot's config of its type
    does not document: Custodian's augmented resource may have had it, PacBot's never does, so
    the condition would see it as absent (``pacbot policy lint`` warns of the same key)."""
    from pacbot.cli.reads import policy_reads
    from pacbot.inventory.connectors import CONNECTORS, documented_attributes

    resource = policy.document.resource
    reads = policy_reads(policy)
    known = documented_attributes(CONNECTORS.get(resource))
    if reads is None or known is None or not reads - known:
        return []
    names = ", ".join(map(repr, sorted(reads - known)))
    return [(path, f"review: {names} not in PacBot's documented config of {resource}")]


def _no_examples(policy: CompiledPolicy) -> str:
    condition = policy.document.condition
    passes = any(True for _ in itertools.islice(_solve(condition, True), 1))
    fails = any(True for _ in itertools.islice(_solve(condition, False), 1))
    if fails and not passes:
        return "found no resource the filters leave out (they may select every resource)"
    if passes and not fails:
        return "found no resource the filters select (they may select none)"
    return "could not derive a pass and a fail example mechanically"


def _map_resource(name: Any, filters: Any = None) -> str | None:
    """The PacBot type of a Custodian resource name; ``account`` by the filters it uses."""
    if not isinstance(name, str):
        return None
    provider, _, short = name.partition(".")
    if not short:
        provider, short = "aws", name
    if provider != "aws":
        return None
    if short == "account":
        return _account_type(filters)
    return resources().get(short)


def _account_type(filters: Any) -> str | None:
    """The one account-level type every named filter of an ``account`` policy judges."""
    found = {ACCOUNT_FILTERS.get(kind) for kind in _filter_kinds(filters)}
    return found.pop() if len(found) == 1 else None


def _filter_kinds(filters: Any) -> list[Any]:
    kinds: list[Any] = []
    for item in filters if isinstance(filters, list) else []:
        if isinstance(item, dict) and len(item) == 1 and next(iter(item)) in ("and", "or", "not"):
            kinds += _filter_kinds(next(iter(item.values())))
        elif isinstance(item, dict):
            kinds.append(item.get("type", "value"))
        else:
            kinds.append(item)
    return kinds


def _unmapped(raw: Mapping[str, Any]) -> str:
    name = raw.get("resource")
    if isinstance(name, str) and name.removeprefix("aws.") == "account":
        kinds = sorted({str(k) for k in _filter_kinds(raw.get("filters"))})
        return (
            f"account filters {kinds} do not all judge one PacBot account-level type "
            f"(mapped: {', '.join(f'{k} -> {v}' for k, v in ACCOUNT_FILTERS.items())})"
        )
    return f"unmapped resource {name!r} (no PacBot connector declares this Custodian name)"


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
    return re.sub(r"-{2,}", "-", slug) or "policy"


def _document(
    raw: Mapping[str, Any], name: str, resource: str, condition: dict[str, Any]
) -> dict[str, Any]:
    metadata = raw.get("metadata")
    if not isinstance(metadata, dict):
        metadata = {}
    severity = str(metadata.get("severity", "medium")).lower()
    category = str(metadata.get("category", "security")).lower()
    text = raw.get("description") or raw.get("comment") or raw.get("comments")
    original = f"Imported from Cloud Custodian policy {name!r} ({raw.get('resource')})."
    description = f"{str(text).strip()}\n\n{original}" if text else original
    actions = raw.get("actions") or []
    names = [a if isinstance(a, str) else str(a.get("type", "?")) for a in actions]
    if names:
        remediation = (
            f"Custodian policy {name!r} remediated matching resources with the actions "
            f"{', '.join(names)} (not imported); apply the same change so the resource no "
            "longer matches its filters."
        )
    else:
        remediation = (
            f"Change the resource so that it no longer matches the filters of Custodian "
            f"policy {name!r} (it had no actions)."
        )
    return {
        "id": f"custodian-{_slug(name)}"[:200],
        "version": 1,
        "name": str(raw.get("title") or name),
        "description": description,
        "resource": resource,
        "severity": severity if severity in _SEVERITIES else "medium",
        "category": category if category in _CATEGORIES else "security",
        "remediation": {"text": remediation},
        "enabled": True,
        "condition": condition,
        "no_framework_reason": (
            "Imported from Cloud Custodian: map it to framework controls once reviewed."
        ),
        "imported_from": _imported_from(name),
    }


def _imported_from(name: str) -> dict[str, Any]:
    source = _SOURCE.get()
    origin: dict[str, Any] = {"tool": "cloud-custodian", "name": name}
    if source is not None:
        origin["file"] = source.as_posix()
    return origin


def _compile(document: Mapping[str, Any]) -> CompiledPolicy | PolicyError:
    text = yaml.safe_dump(dict(document), sort_keys=False, allow_unicode=True)
    return load_text(text, f"{document['id']}.yaml")


# ------------------------------------------------------------------------------ filters


def _filter(item: Any, path: str, resource: str | None, notes: list[tuple[str, str]]) -> Any:
    """The PacBot condition that holds when Custodian's filter ``item`` selects a resource."""
    if isinstance(item, str):
        item = {"type": item}
    if not isinstance(item, dict) or not item:
        raise Unconvertible(path, "expected a filter mapping")
    if len(item) == 1:
        ((key, inner),) = item.items()
        if key in ("and", "or"):
            if not isinstance(inner, list) or not inner:
                raise Unconvertible(f"{path}.{key}", "expected a non-empty list")
            children = _children(inner, f"{path}.{key}", resource, notes)
            return children[0] if len(children) == 1 else {key: children}
        if key == "not":
            if not isinstance(inner, list) or not inner:
                raise Unconvertible(f"{path}.not", "expected a non-empty list")
            children = _children(inner, f"{path}.not", resource, notes)
            return _negate(children[0] if len(children) == 1 else {"and": children})
        if key != "type":
            return _value_filter({"key": key, "value": inner}, path)
    kind = item.get("type")
    if kind == "value":
        return _value_filter({k: v for k, v in item.items() if k != "type"}, path)
    handler = _NAMED.get(kind) if isinstance(kind, str) else None
    if handler is not None:
        return handler(item, path, resource, notes)
    if isinstance(kind, str) and kind in NOT_CONVERTIBLE:
        raise Unconvertible(path, f"filter {kind!r} not convertible: {NOT_CONVERTIBLE[kind]}")
    raise Unconvertible(path, f"unknown filter type {kind!r}")


Notes = list[tuple[str, str]]
Handler = Callable[[dict[str, Any], str, "str | None", Notes], dict[str, Any]]


def _options(item: Mapping[str, Any], path: str, allowed: set[str]) -> None:
    extra = sorted(set(item) - allowed - {"type"})
    if extra:
        raise Unconvertible(f"{path}.{extra[0]}", f"{item['type']} option not supported")


def _has_allow_all(item: dict[str, Any], path: str, resource: str | None, notes: Notes) -> Any:
    if resource not in IAM_POLICY_KEYS:
        raise Unconvertible(path, "filter 'has-allow-all' is only mapped on aws.iam.policy")
    return {"not": {"check": "iam-policy-allows-admin", "key": IAM_POLICY_KEYS[resource]}}


def _global_grants(item: dict[str, Any], path: str, resource: str | None, notes: Notes) -> Any:
    if resource != "aws.s3.bucket":
        raise Unconvertible(path, "filter 'global-grants' is only mapped on aws.s3.bucket")
    extra = sorted(set(item) - {"type", "allow_website"})
    if extra or item.get("allow_website") is not None:
        raise Unconvertible(
            path, f"global-grants options not supported: {extra or 'allow_website'}"
        )
    notes.append((path, "global-grants mapped to PublicAclGrants not-empty (no website exemption)"))
    return {"key": "PublicAclGrants", "op": "not-empty"}


def _age(item: dict[str, Any], path: str, resource: str | None, notes: Notes) -> Any:
    """``instance-age``, ``image-age``, ``age``: the resource's own timestamp, in days."""
    kind = item["type"]
    key = AGE_KEYS.get(resource or "")
    if key is None:
        raise Unconvertible(path, f"filter {kind!r}: no timestamp known for {resource}")
    _options(item, path, {"days", "hours", "minutes", "op"})
    amount = 0.0
    for unit, per_day in (("days", 1), ("hours", 24), ("minutes", 1440)):
        value = item.get(unit, 0)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Unconvertible(f"{path}.{unit}", "expected a number")
        amount += value / per_day
    days: float | int = int(amount) if amount == int(amount) else round(amount, 6)
    return {"key": key, "op": item.get("op", "greater-than"), "value": days, "value_type": "age"}


def _policy_key(kind: str, path: str, resource: str | None) -> str:
    key = RESOURCE_POLICY_KEYS.get(resource or "")
    if key is None:
        raise Unconvertible(path, f"filter {kind!r}: {resource} has no resource policy mapped")
    return key


def _has_statement(item: dict[str, Any], path: str, resource: str | None, notes: Notes) -> Any:
    _options(item, path, {"statement_ids", "statements"})
    key = _policy_key("has-statement", path, resource)
    check: dict[str, Any] = {"check": "policy-has-statements", "key": key}
    if item.get("statement_ids"):
        check["statement_ids"] = list(item["statement_ids"])
    if item.get("statements"):
        check["statements"] = [dict(s) for s in item["statements"]]
    if len(check) == 2:
        raise Unconvertible(path, "has-statement needs statement_ids or statements")
    return check


def _missing_statement(item: dict[str, Any], path: str, resource: str | None, notes: Notes) -> Any:
    _options(item, path, {"statement_ids"})
    ids = item.get("statement_ids")
    if not isinstance(ids, list) or not ids:
        raise Unconvertible(f"{path}.statement_ids", "expected a non-empty list of statement ids")
    key = _policy_key("missing-policy-statement", path, resource)
    return {"not": {"check": "policy-has-statements", "key": key, "statement_ids": ids}}


def _cross_account(item: dict[str, Any], path: str, resource: str | None, notes: Notes) -> Any:
    _options(
        item,
        path,
        {
            "whitelist", "whitelist_orgids", "whitelist_vpc", "whitelist_vpce",
            "everyone_only", "whitelist_from", "whitelist_conditions", "actions",
        },
    )  # fmt: skip
    for option in ("whitelist_from", "whitelist_conditions", "actions"):
        if option in item:
            raise Unconvertible(
                f"{path}.{option}",
                "cross-account option not supported (trusted accounts must be listed inline)",
            )
    check: dict[str, Any] = {
        "check": "policy-cross-account",
        "key": _policy_key("cross-account", path, resource),
    }
    for option, arg in (
        ("whitelist", "allowed_accounts"),
        ("whitelist_orgids", "allowed_org_ids"),
        ("whitelist_vpc", "allowed_vpcs"),
        ("whitelist_vpce", "allowed_vpces"),
    ):
        if item.get(option):
            check[arg] = [str(v) for v in item[option]]
    if item.get("everyone_only"):
        check["everyone_only"] = True
    return {"not": check}


_BLOCK_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def _public_block(item: dict[str, Any], path: str, resource: str | None, notes: Notes) -> Any:
    if resource != "aws.s3.bucket":
        raise Unconvertible(path, "filter 'check-public-block' is only mapped on aws.s3.bucket")
    _options(item, path, set(_BLOCK_FLAGS))
    given = {flag: item[flag] for flag in _BLOCK_FLAGS if flag in item}
    if not given:  # Custodian: any flag unset or false
        return {"not": {"check": "s3-public-access-block-enabled"}}
    leaves = [
        {"key": f"PublicAccessBlock.{flag}", "op": "eq", "value": bool(value)}
        for flag, value in given.items()
    ]
    return leaves[0] if len(leaves) == 1 else {"and": leaves}


def _bucket_encryption(item: dict[str, Any], path: str, resource: str | None, notes: Notes) -> Any:
    """Custodian's ``bucket-encryption``: encrypted as asked (``state``, ``crypto``, ``key``)."""
    if resource != "aws.s3.bucket":
        raise Unconvertible(path, "filter 'bucket-encryption' is only mapped on aws.s3.bucket")
    _options(item, path, {"state", "crypto", "key", "bucket_key_enabled"})
    rule = "Encryption.Rules[0].ApplyServerSideEncryptionByDefault"
    if item.get("state", True) is False:
        return {"key": "Encryption", "op": "empty"}
    leaves: list[dict[str, Any]] = [{"key": "Encryption", "op": "not-empty"}]
    if item.get("crypto"):
        leaves.append({"key": f"{rule}.SSEAlgorithm", "op": "eq", "value": item["crypto"]})
    if item.get("key"):
        leaves.append({"key": f"{rule}.KMSMasterKeyID", "op": "eq", "value": item["key"]})
        notes.append((f"{path}.key", "compared with the key id or ARN the bucket names"))
    if "bucket_key_enabled" in item:
        leaves.append(
            {
                "key": "Encryption.Rules[0].BucketKeyEnabled",
                "op": "eq",
                "value": bool(item["bucket_key_enabled"]),
            }
        )
    return leaves[0] if len(leaves) == 1 else {"and": leaves}


def _tag_count(item: dict[str, Any], path: str, resource: str | None, notes: Notes) -> Any:
    _options(item, path, {"count", "op"})
    count = item.get("count", 10)
    if isinstance(count, bool) or not isinstance(count, int):
        raise Unconvertible(f"{path}.count", "expected a whole number of tags")
    notes.append((path, "tag-count counts the asset's Tags (PacBot keeps no aws: system tags)"))
    return {"key": "Tags", "op": item.get("op", "gte"), "value": count, "value_type": "size"}


def _account_value(target: str, key_prefix: str) -> Handler:
    def convert(item: dict[str, Any], path: str, resource: str | None, notes: Notes) -> Any:
        if resource != target:
            raise Unconvertible(path, f"filter {item['type']!r} is only mapped on {target}")
        data = {k: v for k, v in item.items() if k != "type"}
        if isinstance(data.get("key"), str):
            data["key"] = f"{key_prefix}{data['key']}"
        return _value_filter(data, path)

    return convert


def _default_ebs(item: dict[str, Any], path: str, resource: str | None, notes: Notes) -> Any:
    _options(item, path, {"state", "key"})
    leaves = [{"key": "EbsEncryptionByDefault", "op": "eq", "value": bool(item.get("state", True))}]
    if item.get("key"):
        leaves.append({"key": "KmsKeyId", "op": "eq", "value": item["key"]})
    return leaves[0] if len(leaves) == 1 else {"and": leaves}


def _sg_rules(item: dict[str, Any], path: str, resource: str | None, notes: Notes) -> Any:
    kind = item["type"]
    if resource != "aws.ec2.security_group":
        raise Unconvertible(path, f"filter {kind!r} is only mapped on aws.ec2.security_group")
    return {"not": security_group_shape(item, path, kind)}


# Custodian's credential report columns → the IAM user's own config (the same facts, read
# from the IAM API); the per-key columns (``access_keys.*``) judge each key, so they need a
# check over the key list and are not mapped.
_CREDENTIAL_KEYS = {
    "mfa_active": "MfaEnabled",
    "password_enabled": "PasswordEnabled",
    "password_last_used": "PasswordLastUsed",
    "user_creation_time": "CreateDate",
    "arn": "Arn",
    "user": "UserName",
}


def _credential(item: dict[str, Any], path: str, resource: str | None, notes: Notes) -> Any:
    if resource != "aws.iam.user":
        raise Unconvertible(path, "filter 'credential' is only mapped on aws.iam.user")
    column = item.get("key")
    if column in _KEY_AGES:
        return _key_age(item, path, _KEY_AGES[str(column)])
    key = _CREDENTIAL_KEYS.get(str(column))
    if key is None:
        raise Unconvertible(
            f"{path}.key",
            f"credential report column {column!r} not mapped (mapped: "
            f"{', '.join(sorted(_CREDENTIAL_KEYS))}; access_keys.* judge each key)",
        )
    data = {k: v for k, v in item.items() if k not in ("type", "report_generate", "report_max_age")}
    data["key"] = key
    return _value_filter(data, path)


_KEY_AGES = {"access_keys.last_rotated": "created", "access_keys.last_used_date": "last_used"}


def _key_age(item: dict[str, Any], path: str, basis: str) -> Any:
    """``access_keys.last_rotated`` / ``last_used_date`` older than N days (any key, active
    or not, as the credential report lists them): PacBot's ``credential-age`` check."""
    op = _OP_NAMES.get(str(item.get("op", "eq")), str(item.get("op", "eq")))
    op = {"greater-than": "gt", "gte": "ge"}.get(op, op)
    days = item.get("value")
    if item.get("value_type") != "age" or op not in ("gt", "ge") or not isinstance(days, int):
        raise Unconvertible(
            path, f"{item.get('key')} maps only as value_type age with op gt/gte and whole days"
        )
    max_days = days if op == "gt" else max(days - 1, 0)
    check = {"check": "credential-age", "max_days": max_days, "basis": basis}
    return {"not": {**check, "only_active": False}}


def _member_of(attribute: str, field: str, kind: str) -> Handler:
    """A filter matching when one of the resource's ``attribute`` entries (names, or dicts
    with ``field``) has the given value: Custodian's ``group`` and ``policy`` on IAM."""

    def convert(item: dict[str, Any], path: str, resource: str | None, notes: Notes) -> Any:
        if resource not in ("aws.iam.user", "aws.iam.role", "aws.iam.group"):
            raise Unconvertible(path, f"filter {kind!r} is only mapped on IAM identities")
        if item.get("key") not in (None, field):
            raise Unconvertible(f"{path}.key", f"only {field} is held for {kind}")
        op = _OP_NAMES.get(str(item.get("op", "eq")), str(item.get("op", "eq")))
        key = attribute if attribute == "GroupList" else f"{attribute}[].{field}"
        if attribute == "GroupList" and resource != "aws.iam.user":
            raise Unconvertible(path, "only IAM users list their groups")
        value = item.get("value")
        if op == "eq" and isinstance(value, str):
            return {"key": key, "op": "contains", "value": value}
        if op == "in" and isinstance(value, list):
            return {"key": key, "op": "intersect", "value": value}
        raise Unconvertible(path, f"{kind} with op {item.get('op')!r} not mapped (eq, in)")

    return convert


def _specific_policy(item: dict[str, Any], path: str, resource: str | None, notes: Notes) -> Any:
    if resource not in ("aws.iam.user", "aws.iam.role", "aws.iam.group"):
        raise Unconvertible(path, "filter 'has-specific-managed-policy' is only mapped on IAM")
    value = item.get("value")
    if not isinstance(value, str):
        raise Unconvertible(f"{path}.value", "expected a policy name")
    return {"key": "AttachedManagedPolicies[].PolicyName", "op": "contains", "value": value}


_OP_NAMES = {"equal": "eq", "not-equal": "ne", "ni": "not-in"}


def _virtual_mfa(item: dict[str, Any], path: str, resource: str | None, notes: Notes) -> Any:
    _options(item, path, {"value"})
    return {"key": "RootVirtualMfa", "op": "eq", "value": bool(item.get("value", True))}


_FLOW_LOG_FIELDS: dict[str, tuple[str, Callable[[str], str]]] = {
    "traffic-type": ("TrafficType", str.upper),
    "destination-type": ("LogDestinationType", str.lower),
    "status": ("FlowLogStatus", str.upper),
    "deliver-status": ("DeliverLogsStatus", str.upper),
    "log-group": ("LogGroupName", str),
    "destination": ("LogDestination", str),
}


def _flow_logs(item: dict[str, Any], path: str, resource: str | None, notes: Notes) -> Any:
    """Custodian's ``flow-logs`` on a VPC: with (or without) flow logs of the given kind."""
    if resource != "aws.ec2.vpc":
        raise Unconvertible(path, "filter 'flow-logs' is only mapped on aws.ec2.vpc")
    _options(item, path, {"enabled", "set-op", *_FLOW_LOG_FIELDS})
    if not item.get("enabled", False):
        if set(item) & set(_FLOW_LOG_FIELDS):
            raise Unconvertible(path, "flow-logs options with enabled: false are not mapped")
        return {"key": "FlowLogs", "op": "empty"}
    leaves: list[dict[str, Any]] = [{"key": "FlowLogs", "op": "not-empty"}]
    for option, (name, normal) in _FLOW_LOG_FIELDS.items():
        if option in item:
            value = normal(str(item[option]))
            leaves.append({"key": f"FlowLogs[].{name}", "op": "contains", "value": value})
    if len(leaves) == 1:
        return leaves[0]
    if item.get("set-op", "or") == "or":
        return {"and": [leaves[0], {"or": leaves[1:]}]}
    return {"and": leaves}


def _in_use(item: dict[str, Any], path: str, resource: str | None, notes: Notes) -> Any:
    """Custodian's ``unused`` / ``used`` on security groups: by the network interfaces using
    them (the inventory counts them per group)."""
    kind = item["type"]
    if resource != "aws.ec2.security_group":
        raise Unconvertible(
            path, f"filter {kind!r} needs the whole inventory (what uses the resource)"
        )
    _options(item, path, {"value"})
    if item.get("value") is False:
        kind = "used" if kind == "unused" else "unused"
    notes.append(
        (
            path,
            f"{kind} judged by the network interfaces using the group; Custodian also counts "
            "launch configurations and references from other groups",
        )
    )
    op = "eq" if kind == "unused" else "gt"
    return {"key": "NetworkInterfaceCount", "op": op, "value": 0}


_NAMED: dict[str, Handler] = {
    "unused": _in_use,
    "used": _in_use,
    "instance-uptime": _age,
    "has-virtual-mfa": _virtual_mfa,
    "flow-logs": _flow_logs,
    "credential": _credential,
    "group": _member_of("GroupList", "GroupName", "group"),
    "policy": _member_of("AttachedManagedPolicies", "PolicyName", "policy"),
    "has-specific-managed-policy": _specific_policy,
    "ingress": _sg_rules,
    "egress": _sg_rules,
    "has-allow-all": _has_allow_all,
    "global-grants": _global_grants,
    "instance-age": _age,
    "image-age": _age,
    "age": _age,
    "has-statement": _has_statement,
    "missing-policy-statement": _missing_statement,
    "cross-account": _cross_account,
    "check-public-block": _public_block,
    "bucket-encryption": _bucket_encryption,
    "tag-count": _tag_count,
    "iam-summary": _account_value("aws.iam.account_summary", "SummaryMap."),
    "password-policy": _account_value("aws.iam.password_policy", ""),
    "default-ebs-encryption": _default_ebs,
}


def _children(
    items: list[Any], path: str, resource: str | None, notes: list[tuple[str, str]]
) -> list[Any]:
    out, problems = [], []
    for i, child in enumerate(items):
        try:
            out.append(_filter(child, f"{path}[{i}]", resource, notes))
        except Unconvertible as exc:
            problems.extend(_flatten(exc))
    if problems:
        if len(problems) == 1:
            raise problems[0]
        raise _Many(problems)
    return out


class _Many(Unconvertible):
    """Several problems inside one boolean block, each reported with its own path."""

    def __init__(self, problems: list[Unconvertible]) -> None:
        super().__init__(problems[0].path, problems[0].reason)
        self.problems = problems


def _flatten(exc: Unconvertible) -> list[Unconvertible]:
    return exc.problems if isinstance(exc, _Many) else [exc]


def _value_filter(data: dict[str, Any], path: str) -> dict[str, Any]:
    if "value_from" in data:
        data = dict(data)
        data["value"] = _values_from(data.pop("value_from"), f"{path}.value_from")
    extra = [k for k in UNSUPPORTED_VALUE_FIELDS if k in data]
    if extra:
        raise Unconvertible(path, f"value filter field {extra[0]!r} not supported")
    unknown = sorted(set(data) - {"key", "op", "value", "value_type", "value_regex"})
    if unknown:
        raise Unconvertible(path, f"unknown value filter field {unknown[0]!r}")
    key, op, value, vtype = (
        data.get("key"),
        data.get("op"),
        data.get("value"),
        data.get("value_type"),
    )
    if not isinstance(key, str) or not key:
        raise Unconvertible(path, "value filter without a key")
    if vtype in UNSUPPORTED_VALUE_TYPES or (vtype is not None and vtype not in VALUE_TYPES):
        raise Unconvertible(path, f"unsupported value_type {vtype!r}")
    if isinstance(value, str) and value in SPECIAL_VALUES:
        if op not in (None, "eq", "equal") or vtype is not None:
            raise Unconvertible(path, f"special value {value!r} combined with op/value_type")
        special = {"key": key, "op": value}
        if "value_regex" in data:
            special["value_regex"] = data["value_regex"]
        return special
    if op == "mod":
        raise Unconvertible(path, "unsupported op 'mod'")
    leaf: dict[str, Any] = {"key": key, "op": op or "eq", "value": value}
    if vtype is not None:
        leaf["value_type"] = vtype
    if "value_regex" in data:
        leaf["value_regex"] = data["value_regex"]
    try:
        compile_condition(leaf, ("filter",), {}, CHECKS)
    except ConditionError as exc:
        raise Unconvertible(path, f"unsupported: {exc.message}") from exc
    return leaf


_SOURCE: ContextVar[Path | None] = ContextVar("custodian_source", default=None)


def _values_from(spec: Any, path: str) -> list[Any]:
    """The list ``value_from`` names, read now from a local file so the policy carries it.

    Custodian fetches the list each time it runs; a PacBot policy holds its values, so only
    a file that can be read at import time (``file://`` or a plain path, relative to the
    Custodian file) converts, in the formats Custodian reads: json (with ``expr``, a
    JMESPath), txt (one value a line), csv (``expr``: a column number) and csv2dict
    (``expr``: a column name).
    """
    if not isinstance(spec, dict) or not isinstance(spec.get("url"), str):
        raise Unconvertible(path, "expected a mapping with a url")
    url: str = spec["url"]
    scheme, _, rest = url.partition("://")
    if rest and scheme != "file":
        raise Unconvertible(
            f"{path}.url",
            f"{url} is read each time Custodian runs; a PacBot policy carries its values: "
            "save the list and point value_from at the file (file://...), or list it inline",
        )
    local = Path(rest if rest else url)
    base = _SOURCE.get()
    if not local.is_absolute() and base is not None:
        local = base.parent / local
    try:
        text = local.read_text(encoding="utf-8")
    except OSError as exc:
        raise Unconvertible(f"{path}.url", f"cannot read {local}: {exc.strerror or exc}") from None
    kind = str(spec.get("format") or local.suffix.lstrip(".") or "txt")
    expr = spec.get("expr")
    try:
        values = _parse_values(text, kind, expr)
    except (ValueError, KeyError, IndexError, json.JSONDecodeError, JMESPathError) as exc:
        raise Unconvertible(path, f"cannot read {local} as {kind}: {exc}") from None
    if not all(isinstance(v, str | int | float | bool) for v in values):
        raise Unconvertible(path, f"{local} does not give a list of plain values")
    return values


def _parse_values(text: str, kind: str, expr: Any) -> list[Any]:
    if kind == "json":
        data = json.loads(text)
        found = jmespath.search(expr, data) if isinstance(expr, str) else data
        return list(found) if isinstance(found, list) else [found]
    if kind == "txt":
        return [line.strip() for line in text.splitlines() if line.strip()]
    if kind == "csv":
        rows = [row for row in csv.reader(io.StringIO(text)) if row]
        if expr is None:
            return [cell for row in rows for cell in row]
        return [row[int(expr)] for row in rows]
    if kind == "csv2dict":
        records = list(csv.DictReader(io.StringIO(text)))
        if not isinstance(expr, str):
            raise ValueError("csv2dict needs expr, a column name")
        return [record[expr] for record in records]
    raise ValueError(f"unknown format {kind!r} (json, txt, csv, csv2dict)")


_RULE_ATTRS = ("IpProtocol", "FromPort", "ToPort", "UserIdGroupPairs", "IpRanges", "PrefixListIds")
_FIRST_DESCRIPTION = (
    "IpRanges[0].Description || Ipv6Ranges[0].Description || "
    "UserIdGroupPairs[0].Description || PrefixListIds[0].Description"
)


def security_group_shape(item: Mapping[str, Any], path: str, kind: str) -> dict[str, Any]:
    """Custodian's ``ingress``/``egress`` as PacBot's ``security-group-rules`` check (which
    fails when a rule matches, so the filter selecting the group is its negation)."""
    allowed = {"type", "Ports", "OnlyPorts", "Cidr", "CidrV6", "SelfReference"}
    allowed |= {"Description", "match-operator", *_RULE_ATTRS}
    extra = sorted(set(item) - allowed)
    if extra:
        raise Unconvertible(f"{path}.{extra[0]}", f"{kind} option not supported")
    if "SGReferences" in item:
        raise Unconvertible(path, "SGReferences reads the referenced groups (a join)")
    check: dict[str, Any] = {"check": "security-group-rules"}
    if kind == "egress":
        check["key"] = "IpPermissionsEgress"
    for option, arg in (("Ports", "ports"), ("OnlyPorts", "only_ports")):
        if option in item:
            ports = item[option]
            if not isinstance(ports, list) or not all(isinstance(p, int) for p in ports):
                raise Unconvertible(f"{path}.{option}", "expected a list of port numbers")
            if ports:
                check[arg] = ports
    for option, arg in (("Cidr", "cidr"), ("CidrV6", "cidr_v6")):
        if option in item:
            spec = item[option]
            leaf = dict(spec) if isinstance(spec, dict) else {"value": spec}
            leaf.pop("key", None)
            if "value_from" in leaf:
                leaf = _value_filter({"key": "CidrIp", **leaf}, f"{path}.{option}")
                leaf.pop("key")
            check[arg] = leaf
    if "SelfReference" in item:
        check["self_reference"] = bool(item["SelfReference"])
    rule = []
    for attr in _RULE_ATTRS:
        if attr in item:
            spec = item[attr]
            data = {**spec, "key": attr} if isinstance(spec, dict) else {"key": attr, "value": spec}
            if attr == "IpProtocol" and data.get("value") in (-1, "-1"):
                data["value"] = "-1"
            rule.append(_value_filter(data, f"{path}.{attr}"))
    if "Description" in item:
        spec = item["Description"]
        data = dict(spec) if isinstance(spec, dict) else {"value": spec}
        rule.append(_value_filter({**data, "key": _FIRST_DESCRIPTION}, f"{path}.Description"))
    if rule:
        check["rule"] = rule
    if item.get("match-operator", "and") == "or":
        check["match"] = "any"
    if len(check) == 1 or (len(check) == 2 and "key" in check):
        check["rule"] = [{"key": "IpProtocol", "op": "present"}]  # every rule matches
    return check


def _negate(condition: dict[str, Any]) -> dict[str, Any]:
    """``not: condition``, simplified without changing its verdicts."""
    if set(condition) == {"not"}:
        inner: dict[str, Any] = condition["not"]
        return inner
    for form, dual in (("and", "or"), ("or", "and")):
        if set(condition) == {form}:
            children = [_negate(c) for c in condition[form]]
            return {dual: children}
    op = condition.get("op")
    if "key" in condition and "value_type" not in condition and op in COMPLEMENTS:
        return {**condition, "op": COMPLEMENTS[op]}
    return {"not": condition}


# ----------------------------------------------------------------------------- examples

_MISSING = object()
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_OLD, _FUTURE = "2000-01-01T00:00:00Z", "2999-01-01T00:00:00Z"
_ADMIN_DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
_READ_DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}
_LIMIT = 200


def derive_examples(policy: CompiledPolicy) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """A (pass, fail) pair of configs verified against ``policy``; None when none is found."""
    condition = policy.document.condition
    found: list[dict[str, Any]] = []
    for want in ("pass", "fail"):
        example = None
        for assignment in itertools.islice(_solve(condition, want == "pass"), _LIMIT):
            config = _build(assignment)
            if config is not None and policy.evaluate(config).status == want:
                example = config
                break
        if example is None:
            return None
        found.append(example)
    return found[0], found[1]


def _solve(node: Mapping[str, Any], holds: bool) -> Iterator[dict[str, Any]]:
    """Assignments (key → value) under which ``node`` holds (or fails, ``holds=False``)."""
    if "not" in node:
        yield from _solve(node["not"], not holds)
    elif "and" in node or "or" in node:
        conjunctive = ("and" in node) == holds  # every child must go the same way
        children = node.get("and") or node.get("or") or []
        if conjunctive:
            yield from _all(list(children), holds)
        else:
            for child in children:
                yield from _solve(child, holds)
    elif "check" in node:
        yield from _check_assignments(node, holds)
    elif "key" in node:
        leaf = compile_condition(dict(node), ("c",), {}, CHECKS)
        for value in _candidates(node):
            config = _build({node["key"]: value})
            if config is None:
                return
            status = leaf.evaluate(config, {}).status
            if status == ("pass" if holds else "fail"):
                yield {node["key"]: value}


def _all(children: list[Any], holds: bool) -> Iterator[dict[str, Any]]:
    if not children:
        yield {}
        return
    for first in itertools.islice(_solve(children[0], holds), 8):
        for rest in itertools.islice(_all(children[1:], holds), 8):
            merged = dict(first)
            if all(merged.get(k, v) is v or merged.get(k) == v for k, v in rest.items()):
                merged.update(rest)
                yield merged
            elif all(
                k not in first or first[k] == v or _joinable(first[k], v) for k, v in rest.items()
            ):  # two checks on one list of rules or statements: each adds its own entries
                yield {
                    **first,
                    **{k: _joined(first[k], v) if k in first else v for k, v in rest.items()},
                }


_ARN = "arn:aws:service:us-east-1:123456789012:resource/example"
_RULE_CIDRS = ("0.0.0.0/0", "::/0", "10.0.0.0/8", "192.168.1.0/24", "203.0.113.7/32", "fd00::/8")
_PROTOCOLS = ("tcp", "-1", "udp", "icmp")


def _joinable(a: Any, b: Any) -> bool:
    return (isinstance(a, list) and isinstance(b, list)) or (
        isinstance(a, dict) and isinstance(b, dict) and isinstance(a.get("Statement"), list)
    )


def _joined(a: Any, b: Any) -> Any:
    if a == b:
        return a
    if isinstance(a, list):
        return [*a, *(x for x in b if x not in a)]
    statements = [*a["Statement"], *(x for x in b.get("Statement", []) if x not in a["Statement"])]
    return {**a, "Statement": statements}


def _check_assignments(node: Mapping[str, Any], holds: bool) -> Iterator[dict[str, Any]]:
    name = node["check"]
    if name == "security-group-open-ports":
        key = node.get("key", "IpPermissions")
        if holds:
            yield {key: []}
            return
        port = node["ports"][0]
        cidr = node.get("cidrs", ["0.0.0.0/0"])[0]
        yield {key: [_sg_rule("tcp", port, port, cidr)]}
    elif name == "security-group-rules":
        key = node.get("key", "IpPermissions")
        if holds:
            yield {"GroupId": "sg-0example", key: []}
        yield from _matching_rules(node, key)
    elif name == "iam-policy-allows-admin":
        yield {node.get("key", "PolicyDocument"): _READ_DOC if holds else _ADMIN_DOC}
    elif name == "policy-has-statements":
        key = node.get("key", "Policy")
        empty = {"Version": "2012-10-17", "Statement": []}
        if not holds:
            yield {"Arn": _ARN, key: empty}
            return
        shapes = [
            {k: v for k, v in shape.items() if k != "PartialMatch"}
            for shape in node.get("statements", [])
        ]
        shapes += [{"Sid": sid, "Effect": "Allow"} for sid in node.get("statement_ids", [])]
        yield {"Arn": _ARN, key: {"Version": "2012-10-17", "Statement": _formatted(shapes)}}
    elif name == "policy-cross-account":
        key = node.get("key", "Policy")
        statement = {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}
        yield {
            "Arn": _ARN,
            key: {"Version": "2012-10-17", "Statement": [] if holds else [statement]},
        }
    elif name == "credential-age":
        key = node.get("key", "AccessKeys")
        old = {"AccessKeyId": "AKIAEXAMPLE", "Status": "Active", "CreateDate": _OLD}
        yield {key: [] if holds else [{**old, "LastUsedDate": _OLD}]}
    elif name == "s3-public-access-block-enabled":
        flags = node.get("flags") or ["BlockPublicAcls", "IgnorePublicAcls"]
        flags = [*flags, "BlockPublicPolicy", "RestrictPublicBuckets"]
        yield {"PublicAccessBlock": {flag: holds for flag in flags}}


def _formatted(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("{account_id}", "123456789012").replace("{region}", "us-east-1")
    if isinstance(value, list):
        return [_formatted(v) for v in value]
    if isinstance(value, dict):
        return {k: _formatted(v) for k, v in value.items()}
    return value


def _sg_rule(protocol: str, low: int | None, high: int | None, cidr: str) -> dict[str, Any]:
    v6 = ":" in cidr
    rule: dict[str, Any] = {"IpProtocol": protocol}
    if low is not None:
        rule.update(FromPort=low, ToPort=high)
    rule.update(
        IpRanges=[] if v6 else [{"CidrIp": cidr}],
        Ipv6Ranges=[{"CidrIpv6": cidr}] if v6 else [],
        PrefixListIds=[],
        UserIdGroupPairs=[],
    )
    return rule


def _matching_rules(node: Mapping[str, Any], key: str) -> Iterator[dict[str, Any]]:
    """Groups with one rule the check's shape matches, from a small grid of rules."""
    check = CHECKS.get("security-group-rules")
    assert check is not None
    args = {k: v for k, v in node.items() if k != "check"}
    shape = {
        "key": key,
        "ports": None,
        "only_ports": None,
        "cidr": None,
        "cidr_v6": None,
        "self_reference": None,
        "rule": [],
        "match": "all",
        **args,
    }
    ports: list[tuple[int | None, int | None]] = [(p, p) for p in shape["ports"] or []]
    ports += [(p + 1, p + 1) for p in shape["only_ports"] or []] + [(22, 22), (0, 65535)]
    ports.append((None, None))
    cidrs = [
        value
        for c in (shape["cidr"], shape["cidr_v6"])
        if isinstance(c, dict)
        for value in listed(c.get("value"))
        if isinstance(value, str)
    ]
    cidrs += [c for c in _RULE_CIDRS if c not in cidrs]
    for protocol, (low, high), cidr in itertools.product(_PROTOCOLS, ports, cidrs):
        rule = _sg_rule(protocol, low, high, cidr)
        if shape["self_reference"]:
            rule["UserIdGroupPairs"] = [{"GroupId": "sg-0example", "UserId": "123456789012"}]
            rule["IpRanges"], rule["Ipv6Ranges"] = [], []
        config = {"GroupId": "sg-0example", key: [rule]}
        outcome = check(config, **shape)
        if not isinstance(outcome, bool) and outcome.status == "fail":
            yield config
            return


def _candidates(leaf: Mapping[str, Any]) -> list[Any]:
    value, vtype = leaf.get("value"), leaf.get("value_type")
    out: list[Any] = []
    if vtype in ("age", "expiration", "date"):
        out += [_OLD, _FUTURE, value, _OLD[:10], _FUTURE[:10]]
    elif vtype in ("size", "unique_size") and isinstance(value, int):
        out += [[f"item-{i}" for i in range(n)] for n in (max(value - 1, 0), value, value + 1)]
    elif vtype == "cidr":
        out += [value, "10.0.0.0/8", "192.0.2.0/24", "0.0.0.0/0"]
    elif vtype == "swap":
        out += [[value], [], ["other-value"]]
    if isinstance(value, bool):
        out += [value, not value]
    elif isinstance(value, int | float):
        out += [value, value + 1, value - 1, str(value)]
    elif isinstance(value, str):
        if leaf.get("op") in ("regex", "regex-case", "glob"):
            out.append(_from_pattern(value))
        out += [value, f"{value}-other", "other-value", value.upper(), [value]]
        out += [f" {value.upper()} "]
    elif isinstance(value, list):
        out += [*value[:2], "other-value", [], list(value), value[:1], ["other-value"]]
    out += [_MISSING, "example", ["example"], [], True, False, 0]
    pattern = leaf.get("value_regex")
    if isinstance(pattern, str):  # the key holds text the pattern captures a candidate from
        out = [_around(pattern, c) for c in out if isinstance(c, str | int | float)] + [_MISSING]
    unique: list[Any] = []
    for c in out:
        if not any(c is u or (type(c) is type(u) and c == u) for u in unique):
            unique.append(c)
    return unique


def _around(pattern: str, captured: Any) -> str:
    """Text in which ``pattern``'s (first) group would capture ``captured``."""
    start = pattern.find("(")
    depth, end = 0, -1
    for index in range(start, len(pattern)):
        if pattern[index] == "(" and (index == 0 or pattern[index - 1] != "\\"):
            depth += 1
        elif pattern[index] == ")" and pattern[index - 1] != "\\":
            depth -= 1
            if depth == 0:
                end = index
                break
    if start < 0 or end < 0:
        return str(captured)
    return _from_pattern(pattern[:start]) + str(captured) + _from_pattern(pattern[end + 1 :])


def _from_pattern(pattern: str) -> str:
    text = pattern.lstrip("^").rstrip("$")
    text = text.replace(".*", "x").replace(".+", "x").replace("*", "x").replace("?", "x")
    return re.sub(r"\\(.)", r"\1", text)


_SEGMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_:-]*)(\[(\d*)\])?$")


def _build(assignment: Mapping[str, Any]) -> dict[str, Any] | None:
    """A config holding every assigned value; None when a key is not a path this can build
    (dotted names, ``name[0]`` for a list's first element, ``name[]`` for each element)."""
    config: dict[str, Any] = {}
    for key, value in sorted(assignment.items(), key=lambda kv: -len(kv[0])):
        if value is _MISSING:
            continue
        if key.startswith("tag:"):
            tags = config.setdefault("Tags", {})
            if not isinstance(tags, dict):
                return None
            tags[key[4:]] = value
            continue
        segments = [_SEGMENT.match(part) for part in key.split(".")]
        if not all(segments) or not _place(config, [m for m in segments if m], value):
            return None
    return config


def _place(node: dict[str, Any], segments: list[re.Match[str]], value: Any) -> bool:
    head, rest = segments[0], segments[1:]
    name, indexed, index = head.group(1), head.group(2), head.group(3)
    if not indexed:
        if not rest:
            if name not in node:  # a longer path may have built it already: keep that
                node[name] = value
            return True
        child = node.setdefault(name, {})
        return isinstance(child, dict) and _place(child, rest, value)
    if index not in ("", "0"):
        return False
    items = node.setdefault(name, [])
    if not isinstance(items, list):
        return False
    if not rest:
        if index == "":  # a projection of the list itself
            node[name] = list(value) if isinstance(value, list) else [value]
        else:
            items[:1] = [value]
        return True
    if index == "":  # each element holds one of the values
        values = value if isinstance(value, list) else [value]
        for position, one in enumerate(values):
            while len(items) <= position:
                items.append({})
            if not isinstance(items[position], dict) or not _place(items[position], rest, one):
                return False
        return True
    if not items:
        items.append({})
    return isinstance(items[0], dict) and _place(items[0], rest, value)


# ---------------------------------------------------------------------------------- CLI


def shipped_policies() -> list[CompiledPolicy]:
    """The policies PacBot ships (the assessor's packs)."""
    import pacbot.assessor
    from pacbot.assessor.policies.loader import load_policies

    return load_policies([Path(pacbot.assessor.__file__).parent / "packs"]).policies


def duplicates_of(document: Mapping[str, Any], shipped: list[CompiledPolicy]) -> list[str]:
    """Shipped policies of the same resource type that judge alike: every example of either
    policy gets the same verdict from both (each side's examples hold a pass and a fail)."""
    imported = _compile(document)
    if isinstance(imported, PolicyError):
        return []
    found = []
    for policy in shipped:
        if policy.document.resource != imported.document.resource:
            continue
        ours, theirs = imported.document.examples, policy.document.examples
        samples = [*ours.passing, *ours.failing, *theirs.passing, *theirs.failing]
        if not (theirs.passing and theirs.failing):
            continue
        if all(_verdict(imported, c) == _verdict(policy, c) for c in samples):
            found.append(policy.id)
    return found


def _verdict(policy: CompiledPolicy, config: dict[str, Any]) -> str:
    status = policy.evaluate(config).status
    return status if status in ("pass", "fail") else "other"


def custodian_files(paths: list[Path]) -> list[Path]:
    """The YAML files among ``paths`` (directories walked, sorted)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in (".yml", ".yaml"))
        else:
            files.append(path)
    return files


def convert_paths(paths: list[Path]) -> list[ImportResult]:
    """Every Custodian file under ``paths`` converted, duplicates of shipped policies named;
    a policy id taken by an earlier file is refused."""
    shipped = shipped_policies()
    results: list[ImportResult] = []
    seen: dict[str, str] = {}
    for file in custodian_files(paths):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            results.append(ImportResult(problems=[(str(file), f"cannot read: {exc}")]))
            continue
        result = convert_text(text, str(file))
        for outcome in result.outcomes:
            if outcome.document is None or outcome.problems:
                continue
            policy_id = outcome.document["id"]
            if policy_id in seen:  # the same name in another file: a distinct policy
                number = 2
                while f"{policy_id}-{number}" in seen:
                    number += 1
                renamed = f"{policy_id}-{number}"
                outcome.notes.append(
                    (
                        f"policies[{outcome.index}].name",
                        f"id {policy_id!r} is generated from {seen[policy_id]} too; "
                        f"this one is {renamed!r}",
                    )
                )
                outcome.document["id"] = outcome.policy_id = policy_id = renamed
            seen[policy_id] = str(file)
            outcome.duplicates = duplicates_of(outcome.document, shipped)
        results.append(result)
    return results


def report_json(results: list[ImportResult]) -> dict[str, Any]:
    """The migration report: totals, file problems, and every policy's outcome."""
    outcomes = [o for r in results for o in r.outcomes]
    counts = {status: 0 for status in ("converted", "partly converted", "not converted")}
    for o in outcomes:
        counts[o.status] += 1
    total = len(outcomes)
    return {
        "summary": {
            "files": len(results),
            "policies": total,
            "converted": counts["converted"],
            "partly_converted": counts["partly converted"],
            "not_converted": counts["not converted"],
            "converted_pct": round(100 * counts["converted"] / total, 1) if total else None,
            "duplicates_of_shipped": sum(1 for o in outcomes if o.duplicates),
        },
        "problems": [{"path": p, "reason": r} for res in results for p, r in res.problems],
        "policies": [o.as_json() for o in outcomes],
    }


def run(
    paths: list[Path],
    out: Path | None = None,
    report: Path | None = None,
    skip_duplicates: bool = False,
) -> int:
    """Convert Custodian files (or directories of them); write YAML to ``out`` (or stdout),
    print the report, and with ``report`` write it as JSON too. 0 when everything converted."""
    missing = [p for p in paths if not p.exists()]
    if missing:
        print(f"{missing[0]}: no such file or directory", file=sys.stderr)
        return 2
    results = convert_paths(paths)
    written: list[dict[str, Any]] = []
    for result in results:
        for outcome in result.outcomes:
            if outcome.status == "not converted" or outcome.document is None:
                continue
            if skip_duplicates and outcome.duplicates:
                continue
            written.append(outcome.document)
    human = sys.stdout if out is not None else sys.stderr
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for doc in written:
            target = out / f"{doc['id']}.yaml"
            target.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
            print(f"wrote {target}")
    elif written:
        sys.stdout.write(yaml.safe_dump_all(written, sort_keys=False, allow_unicode=True))
    for result in results:
        source = result.outcomes[0].file if result.outcomes else None
        if len(results) > 1 and source:
            print(f"== {source}", file=human)
        print(result.report(), file=human)
    summary = report_json(results)
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(summary, indent=2) + "\n")
        totals = summary["summary"]
        print(
            f"migration report: {totals['policies']} policies in {totals['files']} files: "
            f"{totals['converted']} converted ({totals['converted_pct']}%), "
            f"{totals['partly_converted']} partly, {totals['not_converted']} not converted, "
            f"{totals['duplicates_of_shipped']} duplicate shipped policies; JSON in {report}",
            file=human,
        )
    return 0 if all(r.ok for r in results) else 1
