"""The least-privilege read-only IAM policy for discovery, generated from the connector registry."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from pacbot.inventory.connectors.registry import ConnectorRegistry

MANAGED_POLICY_LIMIT = 6144  # characters of a customer-managed policy, whitespace excluded


def _statements(registry: ConnectorRegistry) -> list[dict[str, Any]]:
    """One Allow statement per IAM service prefix, actions sorted, on every resource."""
    by_prefix: defaultdict[str, set[str]] = defaultdict(set)
    for action in registry.permissions():
        by_prefix[action.split(":", 1)[0]].add(action)
    return [
        {
            "Sid": "PacBotRead" + "".join(p.capitalize() for p in prefix.split("-")),
            "Effect": "Allow",
            "Action": sorted(actions),
            "Resource": "*",
        }
        for prefix, actions in sorted(by_prefix.items())
    ]


def _size(document: dict[str, Any]) -> int:
    return len(json.dumps(document, separators=(",", ":")))


def read_only_policies(registry: ConnectorRegistry) -> list[dict[str, Any]]:
    """The policy documents (as few as fit AWS's managed-policy size) that discovery needs."""
    documents: list[dict[str, Any]] = []
    current: list[dict[str, Any]] = []
    for statement in _statements(registry):
        candidate = {"Version": "2012-10-17", "Statement": [*current, statement]}
        if current and _size(candidate) > MANAGED_POLICY_LIMIT:
            documents.append({"Version": "2012-10-17", "Statement": current})
            current = [statement]
        else:
            current.append(statement)
    if current:
        documents.append({"Version": "2012-10-17", "Statement": current})
    return documents


def resource_catalogue(registry: ConnectorRegistry) -> list[dict[str, Any]]:
    """Every supported resource type with its declarative metadata."""
    return [
        {
            "resource_type": cls.meta.resource_type,
            "service": cls.meta.service,
            "scope": cls.meta.scope,
            "permissions": list(cls.meta.permissions),
            "id_field": cls.meta.id_field,
            "name_field": cls.meta.name_field,
            "description": (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else "",
        }
        for cls in registry
    ]
