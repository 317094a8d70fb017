"""A decorator registry for named Python checks that conditions call with ``check:``.

A check may declare its arguments as a pydantic model (``args=``): the loader then validates
them, and reports a bad one at its path in the policy. Checks without a model have their
arguments bound against the function's signature instead.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from pacbot.assessor.conditions.outcome import Outcome

CheckFn = Callable[..., Outcome | bool]


class CheckArgs(BaseModel):
    """Base for a check's declared arguments: unknown names are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class CheckSpec:
    """A registered check: its function, argument model (if declared) and description."""

    name: str
    fn: CheckFn
    args: type[BaseModel] | None
    description: str


class CheckRegistry:
    """Maps a check name to a function ``(config, **args) -> Outcome | bool``."""

    def __init__(self) -> None:
        self._checks: dict[str, CheckSpec] = {}

    def register(
        self, name: str, args: type[BaseModel] | None = None, description: str = ""
    ) -> Callable[[CheckFn], CheckFn]:
        """Decorator: make ``fn`` callable from policies as ``{check: name, ...args}``."""

        def add(fn: CheckFn) -> CheckFn:
            if name in self._checks:
                raise ValueError(f"check {name!r} is already registered")
            doc = description or (inspect.getdoc(fn) or "").split("\n\n")[0]
            self._checks[name] = CheckSpec(name, fn, args, doc)
            return fn

        return add

    def names(self) -> list[str]:
        """Every registered check name, sorted."""
        return sorted(self._checks)

    def get(self, name: str) -> CheckFn | None:
        """The check called ``name``, if registered."""
        spec = self._checks.get(name)
        return spec.fn if spec else None

    def spec(self, name: str) -> CheckSpec | None:
        """The full registration of ``name``, if registered."""
        return self._checks.get(name)

    def specs(self) -> list[CheckSpec]:
        """Every registration, sorted by name."""
        return [self._checks[name] for name in self.names()]

    def bind_error(self, name: str, args: dict[str, Any]) -> str | None:
        """Why ``args`` do not fit the check's signature, or None when they do."""
        fn = self._checks[name].fn
        try:
            inspect.signature(fn).bind({}, **args)
        except TypeError as exc:
            return str(exc)
        return None


CHECKS = CheckRegistry()
