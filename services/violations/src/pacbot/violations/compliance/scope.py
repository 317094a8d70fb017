"""Which assets a compliance figure covers: accounts, regions, types, tags and an asset group.

A scope also has a text key (``all``, or comma-joined ``account:ID``, ``region:R``,
``resource_type:T``, ``tag:K=V``, ``group:NAME`` parts in a canonical order) that names its
daily snapshots and is what ``GET /compliance/trend?scope=`` takes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any
from urllib.parse import quote

import httpx

from pacbot.common.runtime import Runtime
from pacbot.common.search import matches, tag_values
from pacbot.common.web import DomainError, NotFound
from pacbot.violations.filters import any_of, canonical_tags, parse_tags, sql_tag_key, tag_clauses

KEY_PARTS = ("account", "region", "resource_type", "tag", "group")


@dataclass(frozen=True)
class Constraints:
    """What a scope admits, as sets: per column the admitted values (None: any), per tag key
    the admitted values (every key must hold). A group's criteria narrow it further."""

    accounts: frozenset[str] | None = None
    regions: frozenset[str] | None = None
    resource_types: frozenset[str] | None = None
    tags: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """True when nothing can match (two filters admit no common value)."""
        columns = (self.accounts, self.regions, self.resource_types)
        return any(s is not None and not s for s in columns) or any(
            not values for values in self.tags.values()
        )

    def narrowed(self, criteria: Mapping[str, Any] | None) -> Constraints:
        """Also within a group's criteria (``pacbot.common.search.matches``'s rule)."""
        if not criteria:
            return self
        tags = dict(self.tags)
        for key, wanted in (criteria.get("tags") or {}).items():
            values = frozenset(tag_values(wanted))
            tags[key] = tags[key] & values if key in tags else values
        return Constraints(
            accounts=_within(self.accounts, criteria.get("accounts")),
            regions=_within(self.regions, criteria.get("regions")),
            resource_types=_within(self.resource_types, criteria.get("resource_types")),
            tags=tags,
        )

    @property
    def python_tags(self) -> dict[str, frozenset[str]]:
        """Tag conditions SQL cannot address (keys with a quote or backslash)."""
        return {k: v for k, v in self.tags.items() if not sql_tag_key(k)}

    def clauses(self, model: Any) -> list[Any]:
        """SQL conditions on ``model`` (results, violations or a tally): all but python_tags."""
        sql_tags = {k: sorted(v) for k, v in self.tags.items() if sql_tag_key(k)}
        return [
            *any_of(model.account_id, _listed(self.accounts)),
            *any_of(model.region, _listed(self.regions)),
            *any_of(model.resource_type, _listed(self.resource_types)),
            *tag_clauses(model.tags, sql_tags),
        ]

    def column_clauses(self, model: Any) -> list[Any]:
        """SQL conditions on the account, region and type columns only."""
        return [
            *any_of(model.account_id, _listed(self.accounts)),
            *any_of(model.region, _listed(self.regions)),
            *any_of(model.resource_type, _listed(self.resource_types)),
        ]

    def admits_row(self, row: Any) -> bool:
        """Every condition, tags included, on one row with account_id, region, resource_type
        and tags (the rule of ``pacbot.common.search.matches``, by which the inventory decides
        a group's members)."""
        return matches(self.criteria, row)

    @cached_property
    def criteria(self) -> dict[str, Any]:
        """These constraints as asset-group criteria."""
        columns = {
            "accounts": self.accounts,
            "regions": self.regions,
            "resource_types": self.resource_types,
        }
        return {
            **{name: admitted for name, admitted in columns.items() if admitted is not None},
            "tags": {key: list(values) for key, values in self.tags.items()},
        }

    def within_columns(self, other: Constraints) -> bool:
        """True when every account, region and type this admits, ``other`` admits too."""
        pairs = (
            (self.accounts, other.accounts),
            (self.regions, other.regions),
            (self.resource_types, other.resource_types),
        )
        return all(wider is None or (mine is not None and mine <= wider) for mine, wider in pairs)

    def admits(self, asset: Mapping[str, Any]) -> bool:
        """The python_tags conditions on a stored asset summary (the rest is in SQL)."""
        tags = asset.get("tags") or {}
        return all(tags.get(k) in values for k, values in self.python_tags.items())

    def fingerprint(self) -> str:
        """A stable text form (for cache keys)."""
        parts = {
            "accounts": _listed(self.accounts),
            "regions": _listed(self.regions),
            "resource_types": _listed(self.resource_types),
            "tags": {k: sorted(v) for k, v in sorted(self.tags.items())},
        }
        return json.dumps(parts, sort_keys=True)


def _listed(values: frozenset[str] | None) -> list[str] | None:
    return None if values is None else sorted(values)


def _within(current: frozenset[str] | None, listed: Any) -> frozenset[str] | None:
    if not listed:
        return current
    return frozenset(listed) if current is None else current & frozenset(listed)


@dataclass(frozen=True)
class Scope:
    """Filters on the stored asset summary; ``criteria`` is the resolved group's, if any."""

    account_id: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    resource_type: tuple[str, ...] = ()
    tags: dict[str, list[str]] = field(default_factory=dict)
    group: str | None = None
    criteria: Mapping[str, Any] | None = None

    def constraints(self) -> Constraints:
        """What this scope admits, its group's criteria included."""
        return Constraints(
            accounts=frozenset(self.account_id) if self.account_id else None,
            regions=frozenset(self.region) if self.region else None,
            resource_types=frozenset(self.resource_type) if self.resource_type else None,
            tags={k: frozenset(v) for k, v in self.tags.items()},
        ).narrowed(self.criteria)

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
    return replace(scope, criteria=await group_criteria(runtime, scope.group))


async def group_criteria(runtime: Runtime, group: str) -> dict[str, Any]:
    """An inventory group's criteria (404 unknown, 503 unreachable), by ``GET /groups/{name}``."""
    try:
        response = await runtime.service("inventory").get(
            f"/groups/{quote(group, safe='')}", params={"counts": "false"}
        )
    except httpx.TransportError as exc:
        raise DomainError(
            f"the inventory is unreachable, so group {group!r} cannot be resolved "
            f"({type(exc).__name__})",
            field="group",
            status_code=503,
        ) from exc
    if response.status_code == 404:
        raise NotFound(f"no asset group {group!r}", field="group")
    if response.status_code != 200:
        raise DomainError(
            f"the inventory answered {response.status_code} for group {group!r}",
            field="group",
            status_code=503,
        )
    try:
        criteria = response.json().get("criteria")
    except (ValueError, AttributeError):
        criteria = None
    if not isinstance(criteria, dict):
        raise DomainError(
            f"the inventory sent group {group!r} without criteria",
            field="group",
            status_code=503,
        )
    return criteria
