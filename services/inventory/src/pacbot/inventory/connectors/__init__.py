"""Connectors, one module per resource type; importing this package registers them all."""

from pacbot.inventory.connectors import s3
from pacbot.inventory.connectors.registry import (
    CONNECTORS,
    Connector,
    ConnectorMeta,
    ConnectorRegistry,
    DiscoveredAsset,
    Scope,
    connector,
)

__all__ = [
    "CONNECTORS",
    "Connector",
    "ConnectorMeta",
    "ConnectorRegistry",
    "DiscoveredAsset",
    "Scope",
    "connector",
    "s3",
]
