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

import itertools
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pacbot.assessor.conditions import CHECKS, ConditionError, compile_condition
from pacbot.assessor.conditions.value_types import VALUE_TYPES
from pacbot.assessor.policies.compiled import CompiledPolicy
from pacbot.assessor.policies.loader import PolicyError, load_text
from pacbot.cli.custodian_map import (
    COMPLEMENTS,
    IAM_POLICY_KEYS,
    NOT_CONVERTIBLE,
    RESOURCES,
    SPECIAL_VALUES,
    UNSUPPORTED_VALUE_FIELDS,
    UNSUPPORTED_VALUE_TYPES,
)

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
    """What became of one Custodian policy."""

    index: int
    name: str
    policy_id: str | None = None
    document: dict[str, Any] | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    notes: list[tuple[str, str]] = field(default_factory=list)  # ignored, approximations

    @property
    def converted(self) -> bool:
        return self.document is not None and not self.problems


@dataclass
class ImportResult:
    """Every policy's outcome; the documents of the converted ones."""

    outcomes: list[PolicyOutcome] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # file-level problems

    @property
    def documents(self) -> list[dict[str, Any]]:
        return [o.document for o in self.outcomes if o.converted and o.document is not None]

    @property
    def ok(self) -> bool:
        return not self.problems and all(o.converted for o in self.outcomes)

    def report(self) -> str:
        """The human report: per policy, what converted and precisely what did not."""
        lines = [f"{path}: {why}" for path, why in self.problems]
        for o in self.outcomes:
            head = f"policies[{o.index}] ({o.name})"
            if o.converted:
                lines.append(f"{head}: converted to {o.policy_id}")
            else:
                lines.append(f"{head}: NOT converted")
            lines.extend(f"  {path}: {why}" for path, why in o.problems)
            lines.extend(f"  {path}: {why}" for path, why in o.notes)
        done = sum(o.converted for o in self.outcomes)
        lines.append(f"{done} converted, {len(self.outcomes) - done} not converted")
        return "\n".join(lines)


# --------------------------------------------------------------------------- conversion


def convert_text(text: str, source: str = "<custodian>") -> ImportResult:
    """Convert a Custodian policy file's text."""
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
        if outcome.policy_id is not None and outcome.document is not None:
            if outcome.policy_id in seen:
                outcome.problems.append(
                    (f"policies[{index}].name", f"duplicate policy id {outcome.policy_id!r}")
                )
            seen.add(outcome.policy_id)
        result.outcomes.append(outcome)
    return result


def _convert_policy(index: int, raw: Any) -> PolicyOutcome:
    base = f"policies[{index}]"
    if not isinstance(raw, dict):
        outcome = PolicyOutcome(index, "?")
        outcome.problems.append((base, "expected a mapping (a Custodian policy)"))
        return outcome
    name = str(raw.get("name") or f"policy-{index}")
    outcome = PolicyOutcome(index, name)
    resource = _map_resource(raw.get("resource"))
    if resource is None:
        why = f"unmapped resource {raw.get('resource')!r} (no PacBot resource type)"
        outcome.problems.append((f"{base}.resource", why))
    actions = raw.get("actions") or []
    if actions:
        names = [a if isinstance(a, str) else str(a.get("type", "?")) for a in actions]
        outcome.notes.append((f"{base}.actions", f"ignored: {', '.join(names)}"))
    if raw.get("mode"):
        mode = raw["mode"]
        kind = mode.get("type", "?") if isinstance(mode, dict) else mode
        outcome.notes.append(
            (f"{base}.mode", f"ignored (type {kind}); PacBot assesses on every inventory change")
        )
    filters = raw.get("filters") or []
    if not isinstance(filters, list) or not filters:
        outcome.problems.append(
            (f"{base}.filters", "no filters: the policy flags every resource, nothing to invert")
        )
        return outcome
    selected: list[dict[str, Any]] = []
    for i, item in enumerate(filters):
        try:
            selected.append(_filter(item, f"{base}.filters[{i}]", resource, outcome.notes))
        except Unconvertible as exc:
            outcome.problems.extend((e.path, e.reason) for e in _flatten(exc))
    if outcome.problems or resource is None:
        return outcome
    condition = _negate(selected[0] if len(selected) == 1 else {"and": selected})
    document = _document(raw, name, resource, condition)
    compiled = _compile(document)
    if isinstance(compiled, PolicyError):
        outcome.problems.append((base, f"generated policy does not load: {compiled}"))
        return outcome
    examples = derive_examples(compiled)
    if examples is None:
        outcome.problems.append(
            (f"{base}.filters", "could not derive a pass and a fail example mechanically")
        )
        return outcome
    document["examples"] = {"pass": [examples[0]], "fail": [examples[1]]}
    checked = _compile(document)
    if isinstance(checked, PolicyError):
        outcome.problems.append((base, f"generated policy does not load: {checked}"))
        return outcome
    mismatches = checked.example_mismatches()
    if mismatches:
        outcome.problems.append((base, f"generated examples disagree: {mismatches[0]}"))
        return outcome
    outcome.policy_id = document["id"]
    outcome.document = document
    return outcome


def _map_resource(name: Any) -> str | None:
    if not isinstance(name, str):
        return None
    provider, _, short = name.partition(".")
    if not short:
        provider, short = "aws", name
    return RESOURCES.get(short) if provider == "aws" else None


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
    }


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
    if kind in ("ingress", "egress") and resource == "aws.ec2.security_group":
        return _security_group(item, path, kind)
    if kind == "has-allow-all" and resource in IAM_POLICY_KEYS:
        check = {"check": "iam-policy-allows-admin", "key": IAM_POLICY_KEYS[resource]}
        return {"not": check}
    if kind == "global-grants" and resource == "aws.s3.bucket":
        extra = sorted(set(item) - {"type", "allow_website"})
        if extra or item.get("allow_website") is not None:
            raise Unconvertible(
                path, f"global-grants options not supported: {extra or 'allow_website'}"
            )
        notes.append(
            (path, "global-grants mapped to PublicAclGrants not-empty (no website exemption)")
        )
        return {"key": "PublicAclGrants", "op": "not-empty"}
    if isinstance(kind, str) and kind in NOT_CONVERTIBLE:
        raise Unconvertible(path, f"filter {kind!r} not convertible: {NOT_CONVERTIBLE[kind]}")
    if kind in ("ingress", "egress", "has-allow-all", "global-grants"):
        raise Unconvertible(path, f"filter {kind!r} is only mapped on its usual resource")
    raise Unconvertible(path, f"unknown filter type {kind!r}")


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
    extra = [k for k in UNSUPPORTED_VALUE_FIELDS if k in data]
    if extra:
        raise Unconvertible(path, f"value filter field {extra[0]!r} not supported")
    unknown = sorted(set(data) - {"key", "op", "value", "value_type"})
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
        return {"key": key, "op": value}
    if op == "mod":
        raise Unconvertible(path, "unsupported op 'mod'")
    leaf: dict[str, Any] = {"key": key, "op": op or "eq", "value": value}
    if vtype is not None:
        leaf["value_type"] = vtype
    try:
        compile_condition(leaf, ("filter",), {}, CHECKS)
    except ConditionError as exc:
        raise Unconvertible(path, f"unsupported: {exc.message}") from exc
    return leaf


def _security_group(item: Mapping[str, Any], path: str, kind: str) -> dict[str, Any]:
    allowed = {"type", "Ports", "Cidr", "CidrV6", "match-operator"}
    extra = sorted(set(item) - allowed)
    if extra:
        raise Unconvertible(path, f"{kind} option {extra[0]!r} not supported")
    ports = item.get("Ports")
    if not isinstance(ports, list) or not ports or not all(isinstance(p, int) for p in ports):
        raise Unconvertible(path, f"{kind} without a Ports list (any port) is not supported")
    cidr_keys = [k for k in ("Cidr", "CidrV6") if k in item]
    if not cidr_keys:
        raise Unconvertible(path, f"{kind} without Cidr/CidrV6 (any source) is not supported")
    if len(cidr_keys) == 2 and item.get("match-operator", "and") == "and":
        raise Unconvertible(path, f"{kind} with both Cidr and CidrV6 under match-operator and")
    cidrs = []
    for k in cidr_keys:
        spec = item[k]
        if isinstance(spec, dict):
            op = spec.get("op", "eq")
            ok = set(spec) <= {"value", "op", "value_type"} and op in ("eq", "equal")
            ok = ok and spec.get("value_type") in (None, "cidr")
            value = spec.get("value")
        else:
            ok, value = True, spec
        if not ok or value != _OPEN_CIDRS[k]:
            raise Unconvertible(
                f"{path}.{k}", f"only {k} equal to {_OPEN_CIDRS[k]} maps to a PacBot check"
            )
        cidrs.append(value)
    check: dict[str, Any] = {"check": "security-group-open-ports", "ports": ports, "cidrs": cidrs}
    if kind == "egress":
        check["key"] = "IpPermissionsEgress"
    return {"not": check}


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


def _check_assignments(node: Mapping[str, Any], holds: bool) -> Iterator[dict[str, Any]]:
    name = node["check"]
    if name == "security-group-open-ports":
        key = node.get("key", "IpPermissions")
        if holds:
            yield {key: []}
            return
        port = node["ports"][0]
        cidr = node.get("cidrs", ["0.0.0.0/0"])[0]
        v6 = ":" in cidr
        rule = {
            "IpProtocol": "tcp",
            "FromPort": port,
            "ToPort": port,
            "IpRanges": [] if v6 else [{"CidrIp": cidr}],
            "Ipv6Ranges": [{"CidrIpv6": cidr}] if v6 else [],
            "PrefixListIds": [],
            "UserIdGroupPairs": [],
        }
        yield {key: [rule]}
    elif name == "iam-policy-allows-admin":
        yield {node.get("key", "PolicyDocument"): _READ_DOC if holds else _ADMIN_DOC}


def _candidates(leaf: Mapping[str, Any]) -> list[Any]:
    value, vtype = leaf.get("value"), leaf.get("value_type")
    out: list[Any] = []
    if vtype in ("age", "expiration", "date"):
        out += [_OLD, _FUTURE, value]
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
    unique: list[Any] = []
    for c in out:
        if not any(c is u or (type(c) is type(u) and c == u) for u in unique):
            unique.append(c)
    return unique


def _from_pattern(pattern: str) -> str:
    text = pattern.lstrip("^").rstrip("$")
    text = text.replace(".*", "x").replace(".+", "x").replace("*", "x").replace("?", "x")
    return re.sub(r"\\(.)", r"\1", text)


def _build(assignment: Mapping[str, Any]) -> dict[str, Any] | None:
    """A config holding every assigned value; None when a key is not a plain dotted path."""
    config: dict[str, Any] = {}
    for key, value in assignment.items():
        if value is _MISSING:
            continue
        parts = ["Tags", key[4:]] if key.startswith("tag:") else key.split(".")
        if not key.startswith("tag:") and not all(_IDENT.match(p) for p in parts):
            return None
        node = config
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                return None
            node = child
        node[parts[-1]] = value
    return config


# ---------------------------------------------------------------------------------- CLI


def run(file: Path, out: Path | None = None) -> int:
    """Convert ``file``; write YAML to ``out`` (or stdout) and print the report."""
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        print(f"{file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    result = convert_text(text, str(file))
    docs = result.documents
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for doc in docs:
            target = out / f"{doc['id']}.yaml"
            target.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
            print(f"wrote {target}")
        print(result.report())
    else:
        if docs:
            sys.stdout.write(yaml.safe_dump_all(docs, sort_keys=False, allow_unicode=True))
        print(result.report(), file=sys.stderr)
    return 0 if result.ok else 1
