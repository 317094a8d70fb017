"""One small decorator registry of connectors, each with declarative metadata (c7n style)."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, TypeVar

from pacbot.common.aws import AccountAccess, AwsSessionFactory


@dataclass(frozen=True)
class ConnectorMeta:
    """What a resource type is, where it lives, and which read permissions discovery needs."""

    resource_type: str
    service: str
    scope: Literal["global", "regional"]
    permissions: tuple[str, ...]
    id_field: str
    name_field: str


@dataclass(frozen=True)
class DiscoveredAsset:
    """One resource as a connector saw it; ``config`` is deterministic so its hash is stable."""

    asset_id: str
    name: str
    region: str
    config: dict[str, Any]
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def owner(self) -> str | None:
        """The ``Owner`` (or ``owner``) tag, the contract's owner field."""
        return self.tags.get("Owner") or self.tags.get("owner")


class Scope:
    """Where one sweep looks: an account and region, with thread-safe cached boto3 clients."""

    def __init__(
        self,
        aws: AwsSessionFactory,
        account: AccountAccess,
        region: str,
        default_region: str,
        regions: Sequence[str] = (),
    ) -> None:
        self.aws = aws
        self.account = account
        self.region = region
        self.default_region = default_region
        self.regions = tuple(regions)
        """The regions swept for this account; account-wide connectors look at these."""
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    @property
    def account_id(self) -> str:
        """The swept account's 12-digit id."""
        return self.account.account_id

    def client(self, service: str, region: str | None = None) -> Any:
        """A client for ``service`` in ``region`` (the sweep's own, or the default for global)."""
        region = region or (self.default_region if self.region == "global" else self.region)
        with self._lock:  # boto3 sessions are not thread-safe; clients are
            key = (service, region)
            if key not in self._clients:
                self._clients[key] = self.aws.client(service, region=region, access=self.account)
            return self._clients[key]


class Connector(ABC):
    """Discovers one resource type; both methods are blocking and run in worker threads."""

    meta: ClassVar[ConnectorMeta]

    @abstractmethod
    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every resource of this type in ``scope``, as the list call returned it."""

    @abstractmethod
    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The full config of one listed resource; None when it vanished since the listing."""


C = TypeVar("C", bound=type[Connector])


class ConnectorRegistry:
    """Resource type → connector class; meta-tests and the sweep planner walk it."""

    def __init__(self) -> None:
        self._connectors: dict[str, type[Connector]] = {}

    def register(
        self,
        resource_type: str,
        *,
        service: str,
        scope: Literal["global", "regional"],
        permissions: tuple[str, ...],
        id_field: str,
        name_field: str,
    ) -> Callable[[C], C]:
        """Class decorator that attaches the metadata and registers the connector."""

        def decorate(cls: C) -> C:
            if resource_type in self._connectors:
                raise ValueError(f"connector {resource_type!r} is already registered")
            cls.meta = ConnectorMeta(
                resource_type, service, scope, tuple(permissions), id_field, name_field
            )
            self._connectors[resource_type] = cls
            return cls

        return decorate

    def get(self, resource_type: str) -> type[Connector]:
        """The connector of ``resource_type``; KeyError names the known types."""
        try:
            return self._connectors[resource_type]
        except KeyError:
            raise KeyError(f"no connector for {resource_type!r}; known: {self.types()}") from None

    def types(self) -> list[str]:
        """Every registered resource type, sorted."""
        return sorted(self._connectors)

    def __iter__(self) -> Iterator[type[Connector]]:
        return iter(self._connectors[t] for t in self.types())

    def permissions(self) -> list[str]:
        """The IAM actions discovery needs across every connector (for the read-only role)."""
        return sorted({p for cls in self for p in cls.meta.permissions})


CONNECTORS = ConnectorRegistry()
connector = CONNECTORS.register
