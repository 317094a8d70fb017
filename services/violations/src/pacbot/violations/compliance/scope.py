"""Which assets a compliance figure covers: accounts, regions, types, tags and an asset group.

A scope also has a text key (``all``, or comma-joined ``account:ID``, ``region:R``,
``resource_type:T``, ``tag:K=V``, ``group:NAME`` parts in a canonical order) that names its
daily snapshots and is what ``GET /compliance/trend?scope=`` takes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

import httpx

from pacbot.common.runtime import Runtime
from pacbot.common.search import matches
from pacbot.common.web import DomainError, NotFound
from pacbot.violations.filters import any_of, canonical_tags, parse_tags, tag_clauses

KEY_PARTS = ("account", "region", "resource_type", "tag", "group")


@dataclass(frozen=True)
class Scope:
    """Filters on the stored asset summary; ``criteria`` is the resolved group's, if any."""

    account_id: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    resource_type: tuple[str, ...] = ()
    tags: dict[str, list[str]] = field(default_factory=dict)
    group: str | None = None
    criteria: Mapping[str, Any] | None = None

    def clauses(self, model: Any) -> list[Any]:
        """SQL conditions on ``model`` (results or violations); a group's criteria prefilter."""
        criteria = self.criteria or {}
        return [
            *any_of(model.account_id, self.account_id),
            *any_of(model.region, self.region),
            *any_of(model.resource_type, self.resource_type),
            *tag_clauses(model.tags, self.tags),
            *any_of(model.account_id, criteria.get("accounts")),
            *any_of(model.region, criteria.get("regions")),
            *any_of(model.resource_type, criteria.get("resource_types")),
        ]

    def admits(self, asset: Mapping[str, Any]) -> bool:
        """The group rule (``pacbot.common.search.matches``) on a stored asset summary."""
        return self.criteria is None or matches(self.criteria, asset)

    def key(self) -> str:
        """The canonical text key of this scope."""
        parts = [f"account:{a}" for a in sorted(self.account_id)]
        parts += [f"region:{r}" for r in sorted(self.region)]
        parts += [f"resource_type:{t}" for t in sorted(self.resource_type)]
        parts += [f"tag:{pair}" for pair in canonical_tags(self.tags)]
        parts += [f"group:{self.group}"] if self.group else []
        return ",".join(parts) or "all"


def scope_of(
    account_id: Sequence[str] = (),
    region: Sequence[str] = (),
    resource_type: Sequence[str] = (),
    tag: Sequence[str] = (),
    group: str | None = None,
) -> Scope:
    """A scope from query parameters (tags checked, 400 naming ``tag``)."""
    return Scope(
        account_id=tuple(sorted(set(account_id))),
        region=tuple(sorted(set(region))),
        resource_type=tuple(sorted(set(resource_type))),
        tags=parse_tags(tag),
        group=group or None,
    )


def parse_scope_key(key: str, field_name: str = "scope") -> Scope:
    """The scope a key names; an unknown part or a second group is a 400."""
    if key.strip() in ("", "all"):
        return Scope()
    wanted: dict[str, list[str]] = {part: [] for part in KEY_PARTS}
    for part in key.split(","):
        name, sep, value = part.strip().partition(":")
        if not sep or name not in wanted or not value:
            raise DomainError(
                f"scope part {part!r} must be one of {[p + ':VALUE' for p in KEY_PARTS]}",
                field=field_name,
            )
        wanted[name].append(value)
    if len(wanted["group"]) > 1:
        raise DomainError("a scope names at most one group", field=field_name)
    return scope_of(
        wanted["account"],
        wanted["region"],
        wanted["resource_type"],
        [_tag_part(t, field_name) for t in wanted["tag"]],
        wanted["group"][0] if wanted["group"] else None,
    )


def _tag_part(pair: str, field_name: str) -> str:
    parse_tags([pair], field=field_name)
    return pair


async def resolve_group(runtime: Runtime, scope: Scope) -> Scope:
    """The scope with its group's criteria from the inventory (404 unknown, 503 unreachable)."""
    if not scope.group:
        return scope
    try:
        response = await runtime.service("inventory").get(f"/groups/{quote(scope.group, safe='')}")
    except httpx.TransportError as exc:
        raise DomainError(
            f"the inventory is unreachable, so group {scope.group!r} cannot be resolved "
            f"({type(exc).__name__})",
            field="group",
            status_code=503,
        ) from exc
    if response.status_code == 404:
        raise NotFound(f"no asset group {scope.group!r}", field="group")
    if response.status_code != 200:
        raise DomainError(
            f"the inventory answered {response.status_code} for group {scope.group!r}",
            field="group",
            status_code=503,
        )
    try:
        criteria = response.json().get("criteria")
    except (ValueError, AttributeError):
        criteria = None
    if not isinstance(criteria, dict):
        raise DomainError(
            f"the inventory sent group {scope.group!r} without criteria",
            field="group",
            status_code=503,
        )
    return replace(scope, criteria=criteria)
