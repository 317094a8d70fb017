"""A fast path for the most common JMESPath shape: plain dotted field names (``A.B.C``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class FieldPath:
    """Walks nested maps exactly as JMESPath's field/subexpression nodes do, without the parser.

    A missing field, or a step into something that is not a map, yields None — JMESPath's answer.
    """

    __slots__ = ("fields",)

    def __init__(self, fields: tuple[str, ...]) -> None:
        self.fields = fields

    @classmethod
    def of(cls, key: str) -> FieldPath | None:
        """The fast path for ``key``, or None when it needs the full JMESPath interpreter."""
        return cls(tuple(key.split("."))) if _PLAIN.match(key) else None

    def search(self, config: Any) -> Any:
        """The value at the path, or None."""
        value = config
        for field in self.fields:
            if not isinstance(value, Mapping):
                return None
            value = value.get(field)
        return value
