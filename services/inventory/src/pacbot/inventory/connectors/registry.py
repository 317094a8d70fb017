"""One small decorator registry of connectors, each with declarative metadata (c7n style)."""

from __future__ import annotations

import functools
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
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
    identity: tuple[str, ...] = ()
    """Top-level config attributes every description has (the listing and always-made calls);
    empty when they are whatever the listing returned."""
    fills: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Each optional API call (or enrichment step) by name, with the top-level attributes it
    fills. Empty: the connector describes in one indivisible step, so it always fills all."""
    custodian: tuple[str, ...] | None = None
    """Cloud Custodian's names for this resource type (``s3``, ``app-elb``), the policy
    importer's mapping; ``()`` when Custodian has none (PacBot's own aggregates), None when
    not declared (a meta-test refuses that)."""

    def attributes(self) -> frozenset[str]:
        """Every top-level attribute a full description has (for connectors that declare fills)."""
        return frozenset(self.identity).union(*(attrs for _, attrs in self.fills))

    def calls(self) -> tuple[str, ...]:
        """The names of the optional calls, as declared."""
        return tuple(name for name, _ in self.fills)

    def calls_for(self, attributes: Iterable[str] | None) -> frozenset[str] | None:
        """The optional calls that fill ``attributes``; None means every call.

        Every call is made when ``attributes`` is None (collect everything), when the connector
        declares no fills, or, for a connector that declares its identity, when an attribute is
        not declared at all. A connector without a declared identity keeps what its listing
        returned: any attribute no call fills comes from there, whichever calls are made.
        """
        if attributes is None or not self.fills:
            return None
        wanted = set(attributes) - set(self.identity)
        calls = {name for name, attrs in self.fills if wanted & set(attrs)}
        if self.identity and wanted - self.attributes():
            return None
        return frozenset(calls)


def _declared_fills(
    resource_type: str, identity: Sequence[str], fills: Mapping[str, Sequence[str]]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``fills`` as metadata, refusing an attribute claimed twice (by two calls or identity)."""
    owner: dict[str, str] = {attr: "identity" for attr in identity}
    for call, attrs in fills.items():
        if not attrs:
            raise ValueError(f"{resource_type}: call {call!r} fills no attribute")
        for attr in attrs:
            if attr in owner:
                raise ValueError(f"{resource_type}: {attr!r} filled by {owner[attr]} and {call!r}")
            owner[attr] = call
    return tuple((call, tuple(attrs)) for call, attrs in fills.items())


@dataclass(frozen=True)
class ConfigShape:
    """A type's documented config document: the top-level attributes a description can have.

    ``api`` names the AWS structure (or string enum) a connector passes through, as botocore's
    service model documents it, ``(boto3 service, shape name)``: every member counts, so keys
    real AWS returns are known even where moto leaves them out. ``attributes`` are the ones the
    connector adds or builds itself (``Arn``, flattened ``Tags``, joined settings).
    """

    api: tuple[str, str] | None = None
    attributes: tuple[str, ...] = ()

    def names(self) -> frozenset[str]:
        """Every documented top-level attribute."""
        members = api_members(*self.api) if self.api else frozenset()
        return members | frozenset(self.attributes)


@functools.cache
def api_members(service: str, shape: str) -> frozenset[str]:
    """The members of a structure (or the values of a string enum) in botocore's model of
    ``service``; loaded on first use, as the models are large (EC2's is megabytes)."""
    import botocore.session

    model = botocore.session.get_session().get_service_model(service)
    found = model.shape_for(shape)
    members = getattr(found, "members", None)
    if members is not None:
        return frozenset(members)
    enum = getattr(found, "enum", None)
    if enum:
        return frozenset(enum)
    raise ValueError(f"{service}:{shape} is a {found.type_name}, not a structure or an enum")


def documented_attributes(cls: type[Connector]) -> frozenset[str] | None:
    """Every top-level attribute a description of ``cls``'s type can have, as its connector
    documents it (declared identity and fills, else its ``config_shape``); None: undocumented."""
    if cls.meta.identity:
        return cls.meta.attributes()
    return cls.config_shape.names() if cls.config_shape is not None else None


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
        self._clients: dict[tuple[str, str, int | None], Any] = {}
        self._lock = threading.Lock()

    @property
    def account_id(self) -> str:
        """The swept account's 12-digit id."""
        return self.account.account_id

    def client(
        self, service: str, region: str | None = None, max_attempts: int | None = None
    ) -> Any:
        """A client for ``service`` in ``region`` (the sweep's own, or the default for global);
        ``max_attempts``: its own smaller retry budget (see ``AwsSessionFactory.client``)."""
        region = region or (self.default_region if self.region == "global" else self.region)
        with self._lock:  # boto3 sessions are not thread-safe; clients are
            key = (service, region, max_attempts)
            if key not in self._clients:
                self._clients[key] = self.aws.client(
                    service, region=region, access=self.account, max_attempts=max_attempts
                )
            return self._clients[key]


class Connector(ABC):
    """Discovers one resource type; both methods are blocking and run in worker threads.

    ``calls`` restricts a connector that declares ``fills`` to those optional calls (a one-shot
    scan asking only for what its policies read); None, the default, makes every call. A
    restricted description omits the attributes of the calls it skipped, so nothing reads a
    missing attribute as "absent in AWS".
    """

    meta: ClassVar[ConnectorMeta]
    config_shape: ClassVar[ConfigShape | None] = None
    """The documented top-level attributes of this type's config (lint's unknown-key check);
    a connector that declares ``identity`` and ``fills`` is documented by them instead."""

    def __init__(self, calls: Collection[str] | None = None) -> None:
        if calls is not None:
            unknown = set(calls) - set(self.meta.calls())
            if unknown:
                raise ValueError(
                    f"{self.meta.resource_type} has no call(s) {sorted(unknown)}; "
                    f"declared: {list(self.meta.calls())}"
                )
        self.calls: frozenset[str] | None = None if calls is None else frozenset(calls)

    def wants(self, call: str) -> bool:
        """Whether this description makes the optional ``call``."""
        return self.calls is None or call in self.calls

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
        identity: Sequence[str] = (),
        fills: Mapping[str, Sequence[str]] | None = None,
        custodian: Sequence[str] | None = None,
    ) -> Callable[[C], C]:
        """Class decorator that attaches the metadata and registers the connector."""
        declared = _declared_fills(resource_type, identity, fills or {})

        def decorate(cls: C) -> C:
            if resource_type in self._connectors:
                raise ValueError(f"connector {resource_type!r} is already registered")
            cls.meta = ConnectorMeta(
                resource_type,
                service,
                scope,
                tuple(permissions),
                id_field,
                name_field,
                tuple(identity),
                declared,
                None if custodian is None else tuple(custodian),
            )
            self._connectors[resource_type] = cls
            return cls

        return decorate

    def include(self, cls: C) -> C:
        """Register a connector class that already carries its metadata (a narrower registry
        over the same classes), leaving that metadata as declared."""
        resource_type = cls.meta.resource_type
        if resource_type in self._connectors:
            raise ValueError(f"connector {resource_type!r} is already registered")
        self._connectors[resource_type] = cls
        return cls

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

    def custodian_names(self) -> dict[str, str]:
        """Cloud Custodian resource name → resource type, from every connector's declaration;
        a name two connectors claim is refused."""
        names: dict[str, str] = {}
        for cls in self:
            for name in cls.meta.custodian or ():
                if name in names:
                    raise ValueError(
                        f"Custodian name {name!r} claimed by {names[name]} and "
                        f"{cls.meta.resource_type}"
                    )
                names[name] = cls.meta.resource_type
        return dict(sorted(names.items()))

    def permissions(self) -> list[str]:
        """The IAM actions discovery needs across every connector (for the read-only role)."""
        return sorted({p for cls in self for p in cls.meta.permissions})


CONNECTORS = ConnectorRegistry()
connector = CONNECTORS.register
