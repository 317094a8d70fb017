"""Small helpers every connector uses, so each one normalises AWS answers the same way."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError


def error_code(exc: ClientError) -> str:
    """The AWS error code of a ClientError."""
    return str(exc.response.get("Error", {}).get("Code", ""))


def optional(call: Any, missing: Iterable[str], **kwargs: Any) -> dict[str, Any] | None:
    """The response without metadata, or None when AWS says the configuration does not exist."""
    try:
        response: dict[str, Any] = call(**kwargs)
    except ClientError as exc:
        if error_code(exc) in set(missing):
            return None
        raise
    response.pop("ResponseMetadata", None)
    return response


def paginate(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    """Every item under ``key`` across all pages of ``operation``."""
    items: list[Any] = []
    if client.can_paginate(operation):
        for page in client.get_paginator(operation).paginate(**kwargs):
            items.extend(page.get(key, []))
        return items
    response = getattr(client, operation)(**kwargs)
    items.extend(response.get(key, []))
    return items


def paginate_after_last(
    call: Any, items: str, more: str, start_key: str, cursor: Any, **kwargs: Any
) -> list[Any]:
    """Every item of a list call that pages by its last item instead of a token (Kinesis and
    Firehose: ``HasMore...`` says another page follows, ``ExclusiveStart...`` names where it
    starts, ``cursor`` picks that value out of the last item)."""
    found: list[Any] = []
    start: dict[str, Any] = {}
    while True:
        answer = call(**kwargs, **start)
        page = answer.get(items, [])
        found += page
        if not answer.get(more) or not page:
            return found
        start = {start_key: cursor(page[-1])}


def flatten_tags(tags: Any) -> dict[str, str]:
    """Tags as ``{key: value}`` whatever shape AWS returned: a list of Key/Value pairs or a map."""
    if not tags:
        return {}
    if isinstance(tags, Mapping):
        return {str(k): str(v) for k, v in tags.items()}
    flat: dict[str, str] = {}
    for tag in tags:
        key = tag.get("Key", tag.get("key", tag.get("TagKey")))
        value = tag.get("Value", tag.get("value", tag.get("TagValue", "")))
        if key is not None:
            flat[str(key)] = "" if value is None else str(value)
    return flat


def iso_utc(value: datetime | str | None) -> str | None:
    """A timestamp as ISO-8601 UTC with a ``Z`` suffix (None stays None)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def plain(value: Any) -> Any:
    """A boto3 response made JSON-safe and deterministic: datetimes as ISO strings, no metadata."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def policy_document(value: str | Mapping[str, Any] | None) -> dict[str, Any] | None:
    """An IAM or resource policy as a dict, from JSON text, URL-encoded text or a map."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        return dict(value)
    from urllib.parse import unquote

    text = value if value.lstrip().startswith("{") else unquote(value)
    document: dict[str, Any] = json.loads(text)
    return document


def age_days(value: datetime | str | None, now: datetime | None = None) -> int | None:
    """Whole days since ``value`` (an AWS timestamp), for key and credential ages."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    stamp = value
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return ((now or datetime.now(UTC)) - stamp).days
