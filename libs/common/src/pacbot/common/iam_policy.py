"""Least-privilege IAM policy documents built from declared actions, split to fit AWS's limits.

The inventory's read-only discovery policy and autofix's remediation policy are both generated
from registries of ``service:Action`` strings; this module holds what they share: statements of
sorted, de-duplicated actions on ``"*"``, and packing them into as few customer-managed policy
documents as fit AWS's size limit (a statement too big for one document alone is split).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

VERSION = "2012-10-17"
MANAGED_POLICY_LIMIT = 6144  # characters of a customer-managed policy, whitespace excluded
ACTION = re.compile(r"^[a-z0-9-]+:[A-Z][A-Za-z0-9]*$")


def invalid_actions(actions: Iterable[str]) -> list[str]:
    """The actions that are not a plain ``service:Action`` (no wildcards), sorted."""
    return sorted({a for a in actions if not ACTION.match(a)})


def allow(sid: str, actions: Iterable[str]) -> dict[str, Any]:
    """One Allow statement of ``actions`` (sorted, de-duplicated) on every resource."""
    return {"Sid": sid, "Effect": "Allow", "Action": sorted(set(actions)), "Resource": "*"}


def sid_suffix(prefix: str) -> str:
    """An IAM service prefix as a Sid fragment: ``cognito-idp`` -> ``CognitoIdp``."""
    return "".join(part.capitalize() for part in prefix.split("-"))


def per_service(sid_prefix: str, actions: Iterable[str]) -> list[dict[str, Any]]:
    """One Allow statement per IAM service prefix, Sid ``sid_prefix`` + the service, sorted."""
    by_prefix: defaultdict[str, set[str]] = defaultdict(set)
    for action in actions:
        by_prefix[action.split(":", 1)[0]].add(action)
    return [
        allow(sid_prefix + sid_suffix(prefix), grouped)
        for prefix, grouped in sorted(by_prefix.items())
    ]


def document(statements: list[dict[str, Any]]) -> dict[str, Any]:
    """A policy document of ``statements``."""
    return {"Version": VERSION, "Statement": statements}


def size(policy: dict[str, Any]) -> int:
    """The size AWS counts for a policy document: its JSON without whitespace."""
    return len(json.dumps(policy, separators=(",", ":")))


def _fit(statement: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    """``statement`` as consecutive statements (Sid, Sid2, …) that each fit a document alone."""
    if size(document([statement])) <= limit or len(statement["Action"]) < 2:
        return [statement]
    parts: list[dict[str, Any]] = []
    actions: list[str] = []
    for action in statement["Action"]:
        candidate = {**statement, "Action": [*actions, action]}
        if actions and size(document([candidate])) > limit:
            parts.append({**statement, "Action": actions})
            actions = [action]
        else:
            actions.append(action)
    parts.append({**statement, "Action": actions})
    sid = statement["Sid"]
    return [{**part, "Sid": sid if i == 0 else f"{sid}{i + 1}"} for i, part in enumerate(parts)]


def split(
    statements: Iterable[dict[str, Any]], limit: int = MANAGED_POLICY_LIMIT
) -> list[dict[str, Any]]:
    """The statements packed, in order, into as few documents of at most ``limit`` as fit."""
    documents: list[dict[str, Any]] = []
    current: list[dict[str, Any]] = []
    for statement in (part for s in statements for part in _fit(s, limit)):
        if current and size(document([*current, statement])) > limit:
            documents.append(document(current))
            current = [statement]
        else:
            current.append(statement)
    if current:
        documents.append(document(current))
    return documents
