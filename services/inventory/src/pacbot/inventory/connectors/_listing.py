"""Shared shapes for connectors whose one batch describe call returns every full item."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar, TypeVar

from pacbot.inventory.connectors._aws import flatten_tags, paginate, plain
from pacbot.inventory.connectors.registry import Connector, DiscoveredAsset, Scope, connector

C = TypeVar("C", bound=type[Connector])


def canonical(items: Iterable[Any] | None) -> list[Any]:
    """A list whose order carries no meaning, in a stable order (by its JSON form)."""
    return sorted(items or [], key=lambda x: json.dumps(x, sort_keys=True, default=str))


def sort_lists(item: dict[str, Any], *keys: str) -> dict[str, Any]:
    """``item`` with the lists under ``keys`` in canonical order (absent keys stay absent)."""
    return {**item, **{k: canonical(item[k]) for k in keys if k in item}}


class Ec2Listing(Connector):
    """Base for EC2-style types whose one paginated describe call returns every full item."""

    client_name: ClassVar[str] = "ec2"
    operation: ClassVar[str]
    key: ClassVar[str]
    params: ClassVar[dict[str, Any]] = {}
    id_key: ClassVar[str]
    arn_kind: ClassVar[str]
    name_key: ClassVar[str | None] = None

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every item of one batch describe call (all pages)."""
        client = scope.client(self.client_name)
        return paginate(client, self.operation, self.key, **self.params)

    def arn(self, scope: Scope, resource_id: str) -> str:
        """The resource's ARN, built in the EC2 shape."""
        return f"arn:aws:ec2:{scope.region}:{scope.account_id}:{self.arn_kind}/{resource_id}"

    def shape(self, scope: Scope, item: dict[str, Any]) -> dict[str, Any] | None:
        """The type-specific normalisation of one item; None when it vanished meanwhile."""
        return item

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """Arn, Name (Name tag, else the id), the shaped item and flattened Tags."""
        item: dict[str, Any] = plain(resource)
        tags = flatten_tags(item.pop("Tags", None) or item.pop("TagSet", None))
        item.pop("TagSet", None)
        resource_id: str = item[self.id_key]
        shaped = self.shape(scope, item)
        if shaped is None:
            return None
        arn = self.arn(scope, resource_id)
        fallback = item.get(self.name_key or self.id_key) or resource_id
        config = {"Arn": arn, "Name": tags.get("Name") or fallback, **shaped, "Tags": tags}
        return DiscoveredAsset(
            asset_id=arn, name=config["Name"], region=scope.region, config=config, tags=tags
        )


def register(
    resource_type: str, *permissions: str, custodian: Sequence[str] | None = None
) -> Callable[[C], C]:
    """``connector`` for a regional type: service from the type name, Arn and Name fields."""
    service = resource_type.split(".")[1]
    return connector(
        resource_type,
        service=service,
        scope="regional",
        permissions=permissions,
        id_field="Arn",
        name_field="Name",
        custodian=custodian,
    )
