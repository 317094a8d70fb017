"""Connectors, one module per AWS service; importing this package registers every one of them."""

import importlib
import pkgutil

from pacbot.inventory.connectors.registry import (
    CONNECTORS,
    ConfigShape,
    Connector,
    ConnectorMeta,
    ConnectorRegistry,
    DiscoveredAsset,
    Scope,
    connector,
    documented_attributes,
)

for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_") and _module.name != "registry":
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = [
    "CONNECTORS",
    "ConfigShape",
    "Connector",
    "ConnectorMeta",
    "ConnectorRegistry",
    "DiscoveredAsset",
    "Scope",
    "connector",
    "documented_attributes",
]
