"""What evaluating a condition yields: a status, a human reason and the values that decided it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, Protocol

Status = Literal["pass", "fail", "error", "not_applicable"]


Reason = str | Callable[[], str]
Evidence = dict[str, Any] | Callable[[], dict[str, Any]]


class Outcome:
    """A condition's verdict; ``evidence`` maps each consulted key to the value it had.

    The human reason and the evidence may each be given as a thunk: they are built only when
    someone reads them, so the hot path of evaluating thousands of assets never pays for
    strings and maps nobody looks at.
    """

    __slots__ = ("_evidence", "_reason", "status")

    def __init__(self, status: Status, reason: Reason, evidence: Evidence | None = None):
        self.status: Status = status
        self._reason = reason
        self._evidence = evidence

    @property
    def reason(self) -> str:
        """Why: formatted on first read."""
        reason = self._reason
        if not isinstance(reason, str):
            reason = self._reason = self._explain()
        return reason

    @property
    def evidence(self) -> dict[str, Any]:
        """The consulted values: built on first read."""
        evidence = self._evidence
        if not isinstance(evidence, dict):
            evidence = self._evidence = self._collect()
        return evidence

    def _explain(self) -> str:
        assert callable(self._reason)
        return self._reason()

    def _collect(self) -> dict[str, Any]:
        evidence = self._evidence
        assert not isinstance(evidence, dict)
        return {} if evidence is None else evidence()

    @classmethod
    def of(cls, ok: bool, reason: Reason, evidence: Evidence | None = None) -> Outcome:
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


class Explainer(Protocol):
    """Formats a deferred outcome's reason and evidence from the facts it kept."""

    def reason(self, facts: Any) -> str: ...

    def evidence(self, facts: Any) -> dict[str, Any]: ...


class Deferred(Outcome):
    """An outcome that keeps only its facts; ``explainer`` turns them into words and evidence.

    One small object per evaluation and no closures: the cheapest way to stay lazy.
    """

    __slots__ = ("_explainer", "_facts")

    def __init__(self, status: Status, explainer: Explainer, facts: Any) -> None:
        self.status = status
        self._reason = None  # type: ignore[assignment]
        self._evidence = None
        self._explainer = explainer
        self._facts = facts

    def _explain(self) -> str:
        return self._explainer.reason(self._facts)

    def _collect(self) -> dict[str, Any]:
        return self._explainer.evidence(self._facts)


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
