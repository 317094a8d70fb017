"""What a violations listing asks for: filters, a sort, and an opaque cursor tied to both.

A cursor carries the sort, the order, a fingerprint of the filters and the moment the first
page was computed (age filters are evaluated against that moment on every page), plus the sort
value and id of the last row. Continuing with another sort, order or filter set is a 400.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pacbot.common.web import DomainError
from pacbot.violations.filters import canonical_tags

SortField = Literal["severity", "opened_at", "updated_at", "age", "policy_id", "resource_type"]
SortOrder = Literal["asc", "desc"]
SEVERITY_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1}
MAX_CURSOR_TEXT = 2048  # longer than any policy id, resource type or violation id
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)  # a cursor's moments lie between these, so age
LATEST = datetime(9000, 1, 1, tzinfo=UTC)  # arithmetic (a century at most) cannot overflow


@dataclass(frozen=True)
class ViolationFilters:
    """Every filter of ``GET /violations`` and the exports; empty means any."""

    status: tuple[str, ...] = ()
    policy_id: tuple[str, ...] = ()
    asset_id: tuple[str, ...] = ()
    severity: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    account_id: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    resource_type: tuple[str, ...] = ()
    owner: tuple[str, ...] = ()
    tags: dict[str, list[str]] = field(default_factory=dict)
    min_age_days: float | None = None
    max_age_days: float | None = None

    def __post_init__(self) -> None:
        low, high = self.min_age_days, self.max_age_days
        if low is not None and high is not None and low > high:
            raise DomainError(
                f"min_age_days ({low}) must not exceed max_age_days ({high})", field="min_age_days"
            )

    def fingerprint(self) -> str:
        """A short digest of the filters, so a cursor cannot continue a different listing."""
        canonical = asdict(self)
        canonical["tags"] = canonical_tags(self.tags)
        for name, value in canonical.items():
            if isinstance(value, tuple | list):
                canonical[name] = sorted(value)
        raw = json.dumps(canonical, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(raw.encode()).hexdigest()[:16]

    def opened_bounds(self, now: datetime) -> tuple[datetime | None, datetime | None]:
        """(earliest, latest) ``opened_at`` admitted by the age filters at ``now``."""
        earliest = (
            now - timedelta(days=self.max_age_days) if self.max_age_days is not None else None
        )
        latest = now - timedelta(days=self.min_age_days) if self.min_age_days is not None else None
        return earliest, latest


@dataclass(frozen=True)
class Position:
    """Where a cursor continues: after the row with this sort value and id, at ``now``."""

    now: datetime
    value: Any
    violation_id: str


def encode_cursor(
    sort: str, order: str, filters: ViolationFilters, now: datetime, value: Any, violation_id: str
) -> str:
    """The opaque cursor that continues after one row."""
    if isinstance(value, datetime):
        value = value.isoformat()
    payload = {
        "s": sort,
        "o": order,
        "f": filters.fingerprint(),
        "t": now.isoformat(),
        "v": [value, violation_id],
    }
    raw = json.dumps(payload, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str, order: str, filters: ViolationFilters) -> Position:
    """The position inside ``cursor``; garbage, or a cursor of another listing, is a 400.

    A cursor comes back from the client: every value in it is checked for the type and range
    the query will use it as, so a forged one is refused here rather than failing in SQL.
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
        value, violation_id = payload["v"]
        now = _moment(payload["t"])
    except (binascii.Error, ValueError, UnicodeError, KeyError, TypeError, RecursionError) as exc:
        raise _invalid() from exc
    if not _is_text(violation_id):
        raise _invalid()
    if (payload.get("s"), payload.get("o")) != (sort, order):
        raise DomainError(
            f"cursor was issued for sort={payload.get('s')!s:.40} order={payload.get('o')!s:.10}, "
            f"not sort={sort} order={order}",
            field="cursor",
        )
    if payload.get("f") != filters.fingerprint():
        raise DomainError(
            "cursor was issued for other filters; start again without a cursor", field="cursor"
        )
    return Position(now=now, value=_sort_value(sort, value), violation_id=violation_id)


def _invalid() -> DomainError:
    return DomainError(
        "not a cursor this listing returned; start again without a cursor", field="cursor"
    )


def _is_text(value: Any) -> bool:
    """A string the database can compare: bounded, UTF-8 (no lone surrogate), no NUL."""
    if not isinstance(value, str) or len(value) > MAX_CURSOR_TEXT or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _moment(value: Any) -> datetime:
    """An ISO-8601 instant with a zone, in UTC, inside the years a listing can mean."""
    if not isinstance(value, str):
        raise TypeError("not a timestamp")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("a timestamp without a zone")
    try:
        moment = moment.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("a timestamp out of range") from exc
    if not EARLIEST <= moment <= LATEST:
        raise ValueError("a timestamp out of range")
    return moment


def _sort_value(sort: str, value: Any) -> Any:
    if sort == "severity":
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 4:
            raise _invalid()
        return value
    if sort in ("opened_at", "updated_at", "age"):
        try:
            return _moment(value)
        except (TypeError, ValueError) as exc:
            raise _invalid() from exc
    if not _is_text(value):
        raise _invalid()
    return value
