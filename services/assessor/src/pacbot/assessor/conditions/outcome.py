"""What evaluating a condition yields: a status, a human reason and the values that decided it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

Status = Literal["pass", "fail", "error", "not_applicable"]


Reason = str | Callable[[], str]


class Outcome:
    """A condition's verdict; ``evidence`` maps each consulted key to the value it had.

    The human reason may be given as a thunk: it is formatted only when someone reads it, so
    the hot path of evaluating thousands of assets never pays for strings nobody shows.
    """

    __slots__ = ("_reason", "evidence", "status")

    def __init__(self, status: Status, reason: Reason, evidence: dict[str, Any] | None = None):
        self.status: Status = status
        self._reason = reason
        self.evidence: dict[str, Any] = evidence if evidence is not None else {}

    @property
    def reason(self) -> str:
        """Why: formatted on first read."""
        if not isinstance(self._reason, str):
            self._reason = self._reason()
        return self._reason

    @classmethod
    def of(cls, ok: bool, reason: Reason, evidence: dict[str, Any] | None = None) -> Outcome:
        """Pass when ``ok``, else fail, with the same reason and evidence."""
        return cls("pass" if ok else "fail", reason, evidence)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Outcome):
            return NotImplemented
        return (self.status, self.reason, self.evidence) == (
            other.status,
            other.reason,
            other.evidence,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Outcome({self.status!r}, {self.reason!r}, {self.evidence!r})"


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
