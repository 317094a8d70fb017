"""What a violations listing asks for: filters, a sort, and an opaque cursor tied to both.

A cursor (``pacbot.common.paging``'s codec) is tied to the sort, the order and the filters; its
position is the moment the first page was computed (age filters are evaluated against that
moment on every page) and the sort value and id of the last row. Continuing with another sort,
order or filter set, or with a position that is not one, is a 400.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pacbot.common import paging
from pacbot.common.paging import InvalidCursor
from pacbot.common.web import DomainError

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
    group: str | None = None
    """An inventory asset group: its criteria are resolved per request (``Selection``)."""

    def __post_init__(self) -> None:
        low, high = self.min_age_days, self.max_age_days
        if low is not None and high is not None and low > high:
            raise DomainError(
                f"min_age_days ({low}) must not exceed max_age_days ({high})", field="min_age_days"
            )

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


def listing_mark(sort: str, order: str, filters: ViolationFilters) -> str:
    """The fingerprint a cursor of this sort, order and filter set carries."""
    return paging.fingerprint("violations", {"sort": sort, "order": order, "filters": filters})


def encode_cursor(
    sort: str, order: str, filters: ViolationFilters, now: datetime, value: Any, violation_id: str
) -> str:
    """The opaque cursor that continues after one row."""
    if isinstance(value, datetime):
        value = value.isoformat()
    position = {"t": now.isoformat(), "v": [value, violation_id]}
    return paging.encode_cursor(listing_mark(sort, order, filters), position)


def decode_cursor(cursor: str, sort: str, order: str, filters: ViolationFilters) -> Position:
    """The position inside ``cursor``; garbage, or a cursor of another listing, is a 400.

    A cursor comes back from the client: every value in it is checked for the type and range
    the query will use it as, so a forged one is refused here rather than failing in SQL.
    """
    position = paging.decode_cursor(cursor, listing_mark(sort, order, filters))
    if not isinstance(position, dict) or not isinstance(position.get("v"), list):
        raise InvalidCursor.garbage()
    try:
        value, violation_id = position["v"]
        now = _moment(position["t"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidCursor.garbage() from exc
    if not _is_text(violation_id):
        raise InvalidCursor.garbage()
    return Position(now=now, value=_sort_value(sort, value), violation_id=violation_id)


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
            raise InvalidCursor.garbage()
        return value
    if sort in ("opened_at", "updated_at", "age"):
        try:
            return _moment(value)
        except (TypeError, ValueError) as exc:
            raise InvalidCursor.garbage() from exc
    if not _is_text(value):
        raise InvalidCursor.garbage()
    return value
