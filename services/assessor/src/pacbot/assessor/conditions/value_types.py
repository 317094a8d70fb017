"""``value_type``: how a value check converts both sides before comparing, after Custodian.

Each type checks the policy's ``value`` once at load (``prepare``, raising ``ValueError`` with
a message for the loader) and converts the asset's value at evaluation (``convert``).
``Missing`` means the key has no value to convert, which fails the check the way Custodian's
comparison against its ``0`` placeholder does; a ``ValueError`` there is an ``error`` result.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pacbot.assessor.conditions.operators import SWAPPED

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_DAY = 86400.0
_ORDERED = frozenset({"eq", "ne", "gt", "ge", "lt", "le"})
_NUMERIC = _ORDERED | {"in", "not-in"}


class Missing(Exception):
    """The key is absent, so the typed comparison cannot hold."""


def parse_timestamp(value: Any) -> datetime:
    """An aware datetime from ISO-8601 text, a datetime, or epoch seconds/milliseconds."""
    if isinstance(value, datetime):
        stamp = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if abs(value) > 1e11 else value
        stamp = datetime.fromtimestamp(seconds, UTC)
    elif isinstance(value, str):
        try:
            stamp = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO-8601 timestamp") from None
    else:
        raise ValueError(f"{value!r} is not a timestamp")
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def parse_network(value: Any) -> Network:
    """An IP network from ``"10.0.0.0/8"``, ``"::/0"`` or a bare address (a /32 or /128)."""
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a CIDR string")
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        raise ValueError(f"{value!r} is not a valid CIDR") from None


def _days(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number of days, got {value!r}")
    return float(value)


def _each(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Apply ``convert`` to a scalar, or to every element of a list (for in / not-in)."""

    def run(value: Any) -> Any:
        if isinstance(value, list):
            return [convert(v) for v in value]
        return convert(value)

    return run


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an integer")
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise ValueError(f"{value!r} is not an integer") from None


def _float(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    try:
        return float(str(value).strip()) if not isinstance(value, int | float) else float(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a number") from None


def _size(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, str | list | dict | tuple):
        return len(value)
    raise ValueError(f"a {type(value).__name__} has no size")


def _unique_size(value: Any) -> int:
    if value is None:
        return 0
    if not isinstance(value, list | tuple):
        raise ValueError(f"a {type(value).__name__} is not a list")
    return len({json.dumps(v, sort_keys=True, default=str) for v in value})


def _normalize(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip().lower()
    if isinstance(value, list):
        return [v.strip().lower() if isinstance(v, str) else v for v in value]
    return value


def _version(value: Any) -> tuple[tuple[int, int | str], ...]:
    """A version string as comparable parts (numbers numerically, words after numbers), as
    Custodian compares them: ``"5.7.10" > "5.7.9"``, ``"1.10" > "1.9"``."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"{value!r} is not a version")
    parts = re.findall(r"\d+|[A-Za-z]+", str(value))
    if not parts:
        raise ValueError(f"{value!r} is not a version")
    return tuple((0, int(p)) if p.isdigit() else (1, p.lower()) for p in parts)


def _cidr_size(value: Any) -> int:
    """The prefix length of a CIDR (``10.0.0.0/16`` → 16)."""
    return parse_network(value).prefixlen


def _networks(value: Any) -> list[Network]:
    return [parse_network(v) for v in value] if isinstance(value, list) else [parse_network(value)]


def _subnet(a: Network, b: Network) -> bool:
    return a.version == b.version and a.subnet_of(b)  # type: ignore[arg-type]


def _cidr_in(actual: list[Network], expected: list[Network]) -> bool:
    return all(any(_subnet(a, e) for e in expected) for a in actual)


def _cidr_contains(actual: list[Network], expected: list[Network]) -> bool:
    return all(any(_subnet(e, a) for a in actual) for e in expected)


@dataclass(frozen=True)
class ValueType:
    """One ``value_type``."""

    name: str
    description: str
    ops: frozenset[str]
    prepare: Callable[[Any], Any]
    convert: Callable[[Any, Any, datetime | None], tuple[Any, Any]]
    unit: str = ""
    note: Callable[[Any], str] | None = None
    tests: dict[str, Callable[[Any, Any], bool]] = field(default_factory=dict)
    uses_clock: bool = False  # convert reads ``now``; other types are not handed the time


def _age(actual: Any, expected: Any, now: datetime | None) -> tuple[Any, Any]:
    if actual is None:
        raise Missing
    assert now is not None, "age reads the clock"
    return (now - parse_timestamp(actual)).total_seconds() / _DAY, expected


def _expiration(actual: Any, expected: Any, now: datetime | None) -> tuple[Any, Any]:
    if actual is None:
        raise Missing
    assert now is not None, "expiration reads the clock"
    return (parse_timestamp(actual) - now).total_seconds() / _DAY, expected


def _date(actual: Any, expected: Any, now: datetime | None) -> tuple[Any, Any]:
    if actual is None:
        raise Missing
    return parse_timestamp(actual), expected


def _scalar(convert: Callable[[Any], Any], none_missing: bool = True) -> Any:
    def run(actual: Any, expected: Any, now: datetime | None) -> tuple[Any, Any]:
        if actual is None and none_missing:
            raise Missing
        return convert(actual), expected

    return run


def _swap(actual: Any, expected: Any, now: datetime | None) -> tuple[Any, Any]:
    return expected, actual


def _cidr(actual: Any, expected: Any, now: datetime | None) -> tuple[Any, Any]:
    if actual is None:
        raise Missing
    return _networks(actual), expected


_ALL = frozenset(
    {
        "eq", "ne", "gt", "ge", "lt", "le", "in", "not-in", "contains", "intersect",
        "difference", "regex", "regex-case", "glob",
    }
)  # fmt: skip

VALUE_TYPES: dict[str, ValueType] = {
    vt.name: vt
    for vt in (
        ValueType(
            "age",
            "value is a number of days; compares how many days ago the key's timestamp was",
            _ORDERED,
            _days,
            _age,
            unit=" days",
            note=lambda a: f"{a:.1f} days ago",
            uses_clock=True,
        ),
        ValueType(
            "expiration",
            "value is a number of days; compares how many days from now the timestamp is",
            _ORDERED,
            _days,
            _expiration,
            unit=" days",
            note=lambda a: f"in {a:.1f} days" if a >= 0 else f"{-a:.1f} days ago",
            uses_clock=True,
        ),
        ValueType(
            "date",
            "both sides are timestamps (ISO-8601 or epoch) compared as instants",
            _ORDERED,
            parse_timestamp,
            _date,
        ),
        ValueType(
            "integer", "both sides as integers", _NUMERIC, _each(_integer), _scalar(_integer)
        ),
        ValueType("float", "both sides as numbers", _NUMERIC, _each(_float), _scalar(_float)),
        ValueType(
            "size",
            "the length of the key's list, string or map (a missing key has size 0)",
            _NUMERIC,
            _each(_integer),
            _scalar(_size, none_missing=False),
            note=lambda a: f"size {a}",
        ),
        ValueType(
            "unique_size",
            "the number of distinct elements in the key's list",
            _NUMERIC,
            _each(_integer),
            _scalar(_unique_size, none_missing=False),
            note=lambda a: f"{a} distinct",
        ),
        ValueType(
            "normalize",
            "strings (and lists of strings) on both sides lower-cased and stripped",
            _ALL,
            _normalize,
            _scalar(_normalize, none_missing=False),
        ),
        ValueType(
            "swap",
            "swap the sides: the operator compares the value against the key",
            _ALL,
            lambda v: v,
            _swap,
            tests={name: swap.test for name, swap in SWAPPED.items() if swap.test is not None},
        ),
        ValueType(
            "version",
            "both sides as versions, compared part by part (1.10 > 1.9; numbers before words)",
            _NUMERIC,
            _each(_version),
            _scalar(_version),
        ),
        ValueType(
            "cidr_size",
            "the prefix length of the key's CIDR, compared with the value (a number)",
            _NUMERIC,
            _each(_integer),
            _scalar(_cidr_size),
            note=lambda a: f"/{a}",
        ),
        ValueType(
            "cidr",
            "both sides are IP networks; in = every key network is a subnet of a value network,"
            " contains = the key covers every value network",
            frozenset({"eq", "ne", "in", "not-in", "contains"}),
            _networks,
            _cidr,
            tests={
                "eq": lambda a, e: set(a) == set(e),
                "ne": lambda a, e: set(a) != set(e),
                "in": _cidr_in,
                "not-in": lambda a, e: not _cidr_in(a, e),
                "contains": _cidr_contains,
            },
        ),
    )
}
