"""The compiled condition tree; each node evaluates an asset's config to an ``Outcome``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from pacbot.assessor.conditions.operators import Operator
from pacbot.assessor.conditions.outcome import Outcome, Status
from pacbot.assessor.conditions.registry import CheckFn

Params = Mapping[str, Any]


class Condition(Protocol):
    """Anything a policy's condition compiles to."""

    def evaluate(self, config: Mapping[str, Any], params: Params) -> Outcome: ...


@dataclass(frozen=True)
class ParamRef:
    """``{param: name}``: the policy parameter's value, resolved when evaluating."""

    name: str


def resolve(value: Any, params: Params) -> Any:
    """The literal ``value``, or the parameter it refers to."""
    return params[value.name] if isinstance(value, ParamRef) else value


def _merge(outcomes: list[Outcome]) -> dict[str, Any]:
    evidence: dict[str, Any] = {}
    for outcome in outcomes:
        evidence.update(outcome.evidence)
    return evidence


@dataclass(frozen=True)
class ValueCheck:
    """``{key, op, value}``: a JMESPath into the config compared with an operator."""

    key: str
    expression: Any  # jmespath.parser.ParsedResult, compiled at load time
    op: Operator
    value: Any = None

    def evaluate(self, config: Mapping[str, Any], params: Params) -> Outcome:
        """Pass when the operator holds for the value found at ``key``."""
        actual = self.expression.search(config)
        expected = resolve(self.value, params)
        evidence = {self.key: actual}
        try:
            ok = self.op.test(actual, expected)
        except (TypeError, re.error) as exc:
            return Outcome("error", f"{self.key}: {exc}", evidence)
        wanted = f"{self.op.phrase} {expected!r}" if self.op.takes_value else self.op.phrase
        return Outcome.of(ok, f"{self.key} = {actual!r} (should {wanted})", evidence)


@dataclass(frozen=True)
class AllOf:
    """``and``: fails on the first failing child; errors if a child errors and none fails."""

    children: tuple[Condition, ...]

    def evaluate(self, config: Mapping[str, Any], params: Params) -> Outcome:
        """Every applicable child must pass."""
        seen: list[Outcome] = []
        for child in self.children:
            outcome = child.evaluate(config, params)
            seen.append(outcome)
            if outcome.status == "fail":
                return Outcome("fail", outcome.reason, _merge(seen))
        return _settle(seen, "pass", "; ".join)


@dataclass(frozen=True)
class AnyOf:
    """``or``: passes on the first passing child."""

    children: tuple[Condition, ...]

    def evaluate(self, config: Mapping[str, Any], params: Params) -> Outcome:
        """At least one child must pass."""
        seen: list[Outcome] = []
        for child in self.children:
            outcome = child.evaluate(config, params)
            seen.append(outcome)
            if outcome.status == "pass":
                return Outcome("pass", outcome.reason, _merge(seen))
        return _settle(seen, "fail", " and ".join)


def _settle(seen: list[Outcome], verdict: Status, join: Any) -> Outcome:
    errors = [o for o in seen if o.status == "error"]
    if errors:
        return Outcome("error", join(o.reason for o in errors), _merge(seen))
    decided = [o for o in seen if o.status != "not_applicable"]
    if not decided:
        return Outcome("not_applicable", join(o.reason for o in seen), _merge(seen))
    return Outcome(verdict, join(o.reason for o in decided), _merge(seen))


@dataclass(frozen=True)
class Negation:
    """``not``: swaps pass and fail; error and not_applicable stay as they are."""

    child: Condition

    def evaluate(self, config: Mapping[str, Any], params: Params) -> Outcome:
        """Pass when the child fails."""
        outcome = self.child.evaluate(config, params)
        if outcome.status == "pass":
            return Outcome("fail", f"must not hold: {outcome.reason}", outcome.evidence)
        if outcome.status == "fail":
            return Outcome(
                "pass", f"does not hold, as required: {outcome.reason}", outcome.evidence
            )
        return outcome


@dataclass(frozen=True)
class CheckCall:
    """``{check: name, ...args}``: a registered Python check for shapes values cannot express."""

    name: str
    fn: CheckFn
    args: tuple[tuple[str, Any], ...]

    def evaluate(self, config: Mapping[str, Any], params: Params) -> Outcome:
        """Run the check; an exception inside it is an ``error`` result, never a crash."""
        args = {name: resolve(value, params) for name, value in self.args}
        try:
            verdict = self.fn(config, **args)
        except Exception as exc:
            return Outcome("error", f"check {self.name} raised {exc!r}")
        if isinstance(verdict, Outcome):
            return verdict
        return Outcome.of(bool(verdict), f"check {self.name} {'passed' if verdict else 'failed'}")
