"""Asset-group criteria: which assets a named group covers, as one pure function.

Criteria are ``{"accounts": [..], "regions": [..], "resource_types": [..],
"tags": {key: value | [values]}}``; every key is optional. An asset matches when every
given criterion admits it: any of the listed accounts, regions and types, and for every
tag key one of its values. Inventory evaluates groups with it; sticky exceptions can
evaluate the same stored criteria against an asset summary from an event.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CRITERIA_FIELDS = {"accounts": "account_id", "regions": "region", "resource_types": "resource_type"}


def _get(asset: Mapping[str, Any] | object, name: str) -> Any:
    if isinstance(asset, Mapping):
        return asset.get(name)
    return getattr(asset, name, None)


def tag_values(wanted: str | list[str] | tuple[str, ...]) -> list[str]:
    """A tag criterion's accepted values: one string or a list of them."""
    return [wanted] if isinstance(wanted, str) else list(wanted)


def matches(criteria: Mapping[str, Any], asset: Mapping[str, Any] | object) -> bool:
    """True when ``asset`` (a mapping or an object with asset attributes) meets ``criteria``."""
    for key, attribute in CRITERIA_FIELDS.items():
        allowed = criteria.get(key)
        if allowed and _get(asset, attribute) not in allowed:
            return False
    tags: Mapping[str, str] = _get(asset, "tags") or {}
    for tag_key, wanted in (criteria.get("tags") or {}).items():
        if tag_key not in tags or tags[tag_key] not in tag_values(wanted):
            return False
    return True
