"""Read an EventBridge or raw CloudTrail event into what changed, where, and which names it used."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pacbot.common.web import DomainError
from pacbot.inventory.changes.account import account_wide

# CloudTrail event sources whose prefix differs from the boto3 service our connectors use.
SOURCE_SERVICES: dict[str, tuple[str, ...]] = {
    "elasticloadbalancing": ("elb", "elbv2"),
    "es": ("opensearch",),
    "elasticfilesystem": ("efs",),
    "monitoring": ("cloudwatch",),
}
MAX_IDENTIFIERS = 200


@dataclass(frozen=True)
class ChangeHint:
    """One change event, reduced to what re-discovery needs."""

    account_id: str
    region: str
    services: tuple[str, ...]
    event_name: str
    identifiers: frozenset[str]
    refresh: tuple[str, ...] = ()
    """Asset types re-read whole: the call changes account-wide facts (see ``account``)."""


def parse_change_event(event: dict[str, Any]) -> ChangeHint:
    """Accept an EventBridge envelope (``detail`` holds the CloudTrail record) or a raw record."""
    nested = event.get("detail")
    detail: dict[str, Any] = nested if isinstance(nested, dict) else event
    source = detail.get("eventSource") or _eventbridge_source(event)
    if not isinstance(source, str) or not source:
        raise DomainError(
            "the event names no eventSource (or aws.<service> source)", field="detail.eventSource"
        )
    account = event.get("account") or detail.get("recipientAccountId") or _user_account(detail)
    if not isinstance(account, str) or not account.isdigit() or len(account) != 12:
        raise DomainError("the event names no 12-digit account", field="account")
    region = event.get("region") or detail.get("awsRegion")
    if not isinstance(region, str) or not region:
        raise DomainError("the event names no region", field="region")
    prefix = source.split(".", 1)[0]
    identifiers: set[str] = set()
    for part in (
        detail.get("requestParameters"),
        detail.get("responseElements"),
        detail.get("resources"),
        event.get("resources"),
    ):
        _collect(part, identifiers)
    event_name = str(detail.get("eventName") or event.get("detail-type") or "")
    refresh = account_wide(prefix, event_name)
    if not identifiers and not refresh:
        raise DomainError(
            "the event names no resource to re-discover", field="detail.requestParameters"
        )
    return ChangeHint(
        account_id=account,
        region=region,
        services=SOURCE_SERVICES.get(prefix, (prefix,)),
        event_name=event_name,
        identifiers=frozenset(identifiers),
        refresh=refresh,
    )


def _eventbridge_source(event: dict[str, Any]) -> str | None:
    source = event.get("source")
    if isinstance(source, str) and source.startswith("aws."):
        return f"{source[4:]}.amazonaws.com"
    return None


def _user_account(detail: dict[str, Any]) -> str | None:
    identity = detail.get("userIdentity")
    return identity.get("accountId") if isinstance(identity, dict) else None


def _collect(value: Any, out: set[str], depth: int = 0) -> None:
    """Every string in the value (ids, names, ARNs), bounded in depth and count."""
    if depth > 6 or len(out) >= MAX_IDENTIFIERS:
        return
    if isinstance(value, str):
        if 2 <= len(value) <= 2048:
            out.add(value)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, out, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _collect(item, out, depth + 1)
