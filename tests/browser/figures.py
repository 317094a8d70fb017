"""The numbers a dashboard page shows, read from the DOM, and the API's answer for each.

Every figure the dashboard draws is a ``[data-figure]`` element carrying the API's raw value in
``data-value`` (``null`` for none) and a formatted text: counts as ``1,234``, percentages as
``95.5%`` (JavaScript's ``toFixed(1)``: the exact binary value, halves away from zero).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from playwright.async_api import Locator


@dataclass(frozen=True)
class Figure:
    """One number on the page."""

    name: str
    raw: str
    text: str

    @property
    def value(self) -> float | None:
        """The raw value as a number (``None`` for ``null``)."""
        return None if self.raw == "null" else float(self.raw)


async def figures(scope: Locator) -> dict[str, Figure]:
    """Every ``[data-figure]`` inside ``scope``, by name (a name shown twice must agree)."""
    rows: list[list[str]] = await scope.locator("[data-figure]").evaluate_all(
        "nodes => nodes.map(n => [n.dataset.figure, n.dataset.value, n.textContent.trim()])"
    )
    found: dict[str, Figure] = {}
    for name, raw, text in rows:
        figure = Figure(name, raw, text)
        assert found.get(name, figure) == figure, f"{name} is shown twice, differently"
        found[name] = figure
    return found


def shown_as_count(value: float | None) -> str:
    """A count as the dashboard writes it."""
    return "n/a" if value is None else f"{int(value):,}"


def shown_as_pct(value: float | None) -> str:
    """A percentage as the dashboard writes it (``toFixed(1)`` on the exact value)."""
    if value is None:
        return "n/a"
    rounded = Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{rounded}%"


def by_key(items: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    """A list of objects indexed by one of their fields."""
    return {str(item[key]): item for item in items}


def equal(figure: Figure, expected: Any) -> bool:
    """The page's raw value is the API's (numbers compared as numbers, ``null`` as None)."""
    if expected is None or figure.value is None:
        return expected is None and figure.value is None
    return figure.value == float(expected)
