"""What evaluating a condition yields: a status, a human reason and the values that decided it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["pass", "fail", "error", "not_applicable"]


@dataclass(frozen=True)
class Outcome:
    """A condition's verdict; ``evidence`` maps each consulted key to the value it had."""

    status: Status
    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, ok: bool, reason: str, evidence: dict[str, Any] | None = None) -> Outcome:
        """Pass when ``ok``, else fail, with the same reason and evidence."""
        return cls("pass" if ok else "fail", reason, evidence or {})


class ConditionError(ValueError):
    """A condition that cannot be compiled; ``path`` locates it inside the policy document."""

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def format_path(path: tuple[str | int, ...]) -> str:
    """``("condition", "and", 1, "op")`` → ``condition.and[1].op``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "<root>"
