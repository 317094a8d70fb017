"""A fast path for the most common JMESPath shape: plain dotted field names (``A.B.C``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from jmespath import visitor

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


class JmesPath:
    """A compiled JMESPath run by one shared interpreter; ``ParsedResult.search`` builds one
    per call, which costs more than the walk itself on small config documents."""

    __slots__ = ("_tree",)

    def __init__(self, parsed: Any) -> None:
        self._tree = parsed.parsed

    def search(self, config: Any) -> Any:
        """The expression's value on ``config`` (JMESPath semantics)."""
        return _INTERPRETER.visit(self._tree, config)


_INTERPRETER = visitor.TreeInterpreter()
