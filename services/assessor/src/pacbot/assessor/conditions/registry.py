"""A small decorator registry for named Python checks that conditions call with ``check:``."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from pacbot.assessor.conditions.outcome import Outcome

CheckFn = Callable[..., Outcome | bool]


class CheckRegistry:
    """Maps a check name to a function ``(config, **args) -> Outcome | bool``."""

    def __init__(self) -> None:
        self._checks: dict[str, CheckFn] = {}

    def register(self, name: str) -> Callable[[CheckFn], CheckFn]:
        """Decorator: make ``fn`` callable from policies as ``{check: name, ...args}``."""

        def add(fn: CheckFn) -> CheckFn:
            if name in self._checks:
                raise ValueError(f"check {name!r} is already registered")
            self._checks[name] = fn
            return fn

        return add

    def names(self) -> list[str]:
        """Every registered check name, sorted."""
        return sorted(self._checks)

    def get(self, name: str) -> CheckFn | None:
        """The check called ``name``, if registered."""
        return self._checks.get(name)

    def bind_error(self, name: str, args: dict[str, Any]) -> str | None:
        """Why ``args`` do not fit the check's signature, or None when they do."""
        fn = self._checks[name]
        try:
            inspect.signature(fn).bind({}, **args)
        except TypeError as exc:
            return str(exc)
        return None


CHECKS = CheckRegistry()
