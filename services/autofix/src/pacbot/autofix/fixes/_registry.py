"""One small decorator registry of fixes, keyed by the action name policies refer to."""

from __future__ import annotations

from collections.abc import Iterator

from pacbot.autofix.fixes._base import Fix


class FixRegistry:
    """Holds one stateless instance per registered fix class."""

    def __init__(self) -> None:
        self._fixes: dict[str, Fix] = {}

    def register(self, cls: type[Fix]) -> type[Fix]:
        """Class decorator: make ``cls`` available under its ``name``."""
        if cls.name in self._fixes:
            raise ValueError(f"fix {cls.name!r} is registered twice")
        self._fixes[cls.name] = cls()
        return cls

    def get(self, name: str) -> Fix | None:
        """The fix registered as ``name``, if any."""
        return self._fixes.get(name)

    def names(self) -> list[str]:
        """Every registered action name, sorted."""
        return sorted(self._fixes)

    def __iter__(self) -> Iterator[Fix]:
        return iter(self._fixes.values())


FIXES = FixRegistry()
