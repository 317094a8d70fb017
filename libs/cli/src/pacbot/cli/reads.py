"""Which top-level config attributes a policy reads, from its compiled condition.

A one-shot scan uses this to ask AWS only for what its policies need. Every answer errs on the
side of reading more: ``None`` means "the whole config" (a key through ``@``, a key given by a
parameter, a check whose reads are unknown), and the scan then makes every call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import jmespath
from jmespath.exceptions import JMESPathError

from pacbot.assessor.conditions.nodes import (
    AllOf,
    AnyOf,
    CheckCall,
    Condition,
    Negation,
    ParamRef,
    ValueCheck,
)
from pacbot.assessor.policies.compiled import CompiledPolicy

KEYLESS_CHECK_READS: Mapping[str, frozenset[str]] = {
    "s3-public-access-block-enabled": frozenset({"PublicAccessBlock"}),
}
"""Checks that read fixed attributes rather than a ``key`` argument, with those attributes."""

_ON_RESULT = frozenset(
    {
        "subexpression",
        "index_expression",
        "projection",
        "value_projection",
        "filter_projection",
        "flatten",
        "pipe",
    }
)
"""AST nodes whose first child reads the document and the rest read what it yielded."""

Reads = frozenset[str] | None


def key_roots(key: str) -> Reads:
    """The top-level attributes a condition ``key`` (JMESPath or ``tag:Name``) reads."""
    if key.startswith("tag:"):
        return frozenset({"Tags"})
    try:
        parsed = jmespath.compile(key).parsed
    except JMESPathError:
        return None
    return _roots(parsed)


def _roots(node: Mapping[str, Any]) -> Reads:
    kind = node.get("type")
    children: list[Mapping[str, Any]] = list(node.get("children", []))
    if kind == "field":
        return frozenset({str(node["value"])})
    if kind in {"current", "identity"}:
        return None
    if kind == "expref":  # applied to elements another argument yielded
        return frozenset()
    if kind in _ON_RESULT:
        return _roots(children[0]) if children else frozenset()
    found: set[str] = set()
    for child in children:
        roots = _roots(child)
        if roots is None:
            return None
        found |= roots
    return frozenset(found)


def condition_reads(condition: Condition, params: Mapping[str, Any]) -> Reads:
    """The top-level attributes ``condition`` reads, with ``params`` as its parameter values."""
    if isinstance(condition, ValueCheck):
        return key_roots(condition.key)
    if isinstance(condition, AllOf | AnyOf):
        return _union(condition_reads(c, params) for c in condition.children)
    if isinstance(condition, Negation):
        return condition_reads(condition.child, params)
    if isinstance(condition, CheckCall):
        return _check_reads(condition, params)
    return None


def _check_reads(call: CheckCall, params: Mapping[str, Any]) -> Reads:
    args = dict(call.args)
    if "key" not in args and call.model is not None and "key" in call.model.model_fields:
        args["key"] = call.model.model_fields["key"].default
    key = args.get("key")
    if isinstance(key, ParamRef):
        key = params.get(key.name)
    if isinstance(key, str):
        return key_roots(key)
    return KEYLESS_CHECK_READS.get(call.name)


def _union(parts: Iterable[Reads]) -> Reads:
    found: set[str] = set()
    for part in parts:
        if part is None:
            return None
        found |= part
    return frozenset(found)


def policy_reads(policy: CompiledPolicy) -> Reads:
    """The top-level attributes ``policy`` reads with its parameter defaults."""
    return condition_reads(policy.condition, policy.defaults)


def reads_by_type(policies: Iterable[CompiledPolicy]) -> dict[str, Reads]:
    """Resource type → what the given policies of that type read together."""
    by_type: dict[str, list[Reads]] = {}
    for policy in policies:
        by_type.setdefault(policy.document.resource, []).append(policy_reads(policy))
    return {t: _union(reads) for t, reads in by_type.items()}
