"""Checks on an exception request that need nothing but the request: 422s naming the field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pacbot.common.events import ALL_POLICIES, ExceptionCriteria
from pacbot.common.web import DomainError
from pacbot.exceptions.grants.schemas import ExceptionKind, ExceptionRequest

MAX_ASSET_IDS = 1000
MAX_POLICY_IDS = 200
MAX_REASON = 4000
MAX_PATTERN = 512
_ACCOUNT = re.compile(r"^\d{12}$")


def invalid(message: str, field: str) -> DomainError:
    """A 422 that names the offending field."""
    return DomainError(message, field=field, status_code=422)


@dataclass(frozen=True)
class ValidRequest:
    """A request whose values are cleaned and individually valid."""

    kind: ExceptionKind
    asset_ids: list[str]
    policy_ids: list[str]
    criteria: ExceptionCriteria | None
    reason: str
    expires_at: datetime


def text(value: str, field: str, *, limit: int = MAX_REASON) -> str:
    """``value`` stripped; blank or longer than ``limit`` is a 422."""
    cleaned = value.strip()
    if not cleaned:
        raise invalid(f"{field} must not be blank", field)
    if len(cleaned) > limit:
        raise invalid(f"{field} must be at most {limit} characters", field)
    return cleaned


def _values(values: list[str], field: str, *, limit: int) -> list[str]:
    """Stripped, de-duplicated values in order; blanks are a 422."""
    cleaned = [value.strip() for value in values]
    if any(not value for value in cleaned):
        raise invalid(f"{field} must not contain blank values", field)
    if len(cleaned) > limit:
        raise invalid(f"{field} names {len(cleaned)} values; at most {limit} are allowed", field)
    return list(dict.fromkeys(cleaned))


def _policy_ids(values: list[str]) -> list[str]:
    ids = _values(values, "policy_ids", limit=MAX_POLICY_IDS)
    if not ids:
        raise invalid("policy_ids must name at least one policy, or be ['*']", "policy_ids")
    if ALL_POLICIES in ids and len(ids) > 1:
        raise invalid("policy_ids: '*' means every policy and cannot be combined", "policy_ids")
    return ids


def expiry(expires_at: datetime, *, now: datetime, max_days: int) -> datetime:
    """``expires_at`` in UTC; in the past or beyond ``max_days`` from now is a 422."""
    moment = expires_at if expires_at.tzinfo else expires_at.replace(tzinfo=UTC)
    if moment <= now:
        raise invalid("expires_at must be in the future", "expires_at")
    if moment > now + timedelta(days=max_days):
        raise invalid(f"expires_at must be within {max_days} days (the maximum)", "expires_at")
    return moment.astimezone(UTC)


def glob_problem(pattern: str) -> str | None:
    """Why ``pattern`` is not a useful shell glob, or None when it is fine."""
    if len(pattern) > MAX_PATTERN:
        return f"is longer than {MAX_PATTERN} characters"
    if any(ord(char) < 32 for char in pattern):
        return "contains a control character"
    if not pattern.strip("*?"):
        return "matches every name; name something narrower"
    index = 0
    while index < len(pattern):
        if pattern[index] == "[":
            end = index + 1
            if end < len(pattern) and pattern[end] == "!":
                end += 1
            if end < len(pattern) and pattern[end] == "]":
                end += 1
            end = pattern.find("]", end)
            if end == -1:
                return f"has an unclosed '[' at position {index}"
            index = end
        index += 1
    return None


def criteria_of(criteria: ExceptionCriteria | None) -> ExceptionCriteria:
    """Cleaned sticky criteria; none, or no criterion at all, would exempt everything: 422."""
    if criteria is None:
        raise invalid("a sticky exception needs criteria", "criteria")
    accounts = _values(criteria.accounts, "criteria.accounts", limit=MAX_ASSET_IDS)
    bad = [a for a in accounts if not _ACCOUNT.match(a)]
    if bad:
        raise invalid(
            f"criteria.accounts: {bad[0]!r} is not a 12-digit account id", "criteria.accounts"
        )
    patterns = _values(criteria.name_patterns, "criteria.name_patterns", limit=MAX_POLICY_IDS)
    for pattern in patterns:
        problem = glob_problem(pattern)
        if problem:
            field = "criteria.name_patterns"
            raise invalid(f"{field}: the pattern {pattern!r} {problem}", field)
    cleaned = ExceptionCriteria(
        accounts=accounts,
        regions=_values(criteria.regions, "criteria.regions", limit=MAX_POLICY_IDS),
        resource_types=_values(
            criteria.resource_types, "criteria.resource_types", limit=MAX_POLICY_IDS
        ),
        tags=_tags(criteria.tags),
        name_patterns=patterns,
    )
    if not any(cleaned.model_dump().values()):
        raise invalid(
            "criteria must set at least one of accounts, regions, resource_types, tags or "
            "name_patterns; empty criteria would exempt every asset",
            "criteria",
        )
    return cleaned


def _tags(tags: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
    cleaned: dict[str, str | list[str]] = {}
    for key, wanted in tags.items():
        name = key.strip()
        if not name:
            raise invalid("criteria.tags: tag keys must be non-empty strings", "criteria.tags")
        field = f"criteria.tags.{name}"
        if isinstance(wanted, str):
            cleaned[name] = text(wanted, field, limit=MAX_PATTERN)
            continue
        values = _values(wanted, field, limit=MAX_POLICY_IDS)
        if not values:
            raise invalid(f"{field} must list at least one value", field)
        cleaned[name] = values
    return cleaned


def validate_request(request: ExceptionRequest, *, now: datetime, max_days: int) -> ValidRequest:
    """Every check that needs no peer, in the order a person would fix them."""
    asset_ids = _values(request.asset_ids, "asset_ids", limit=MAX_ASSET_IDS)
    if request.kind == "resource":
        if not asset_ids:
            raise invalid(
                "a resource exception must name at least one asset in asset_ids", "asset_ids"
            )
        if request.criteria is not None:
            raise invalid("criteria apply to sticky exceptions only; use kind 'sticky'", "criteria")
        criteria = None
    else:
        if asset_ids:
            raise invalid(
                "a sticky exception covers assets by criteria; leave asset_ids empty", "asset_ids"
            )
        criteria = criteria_of(request.criteria)
    return ValidRequest(
        kind=request.kind,
        asset_ids=asset_ids,
        policy_ids=_policy_ids(request.policy_ids),
        criteria=criteria,
        reason=text(request.reason, "reason"),
        expires_at=expiry(request.expires_at, now=now, max_days=max_days),
    )
