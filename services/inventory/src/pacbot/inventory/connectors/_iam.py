"""The least-privilege read-only IAM policy for discovery, generated from the connector registry."""

from __future__ import annotations

from typing import Any

from pacbot.common.iam_policy import MANAGED_POLICY_LIMIT, per_service, split
from pacbot.inventory.connectors.registry import ConnectorRegistry

__all__ = ["MANAGED_POLICY_LIMIT", "read_only_policies", "resource_catalogue"]


def read_only_policies(registry: ConnectorRegistry) -> list[dict[str, Any]]:
    """The policy documents (as few as fit AWS's managed-policy size) that discovery needs.

    One Allow statement per IAM service prefix (Sid ``PacBotRead<Service>``), actions sorted.
    """
    return split(per_service("PacBotRead", registry.permissions()))


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
