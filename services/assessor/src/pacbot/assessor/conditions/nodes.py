"""The compiled condition tree; each node evaluates an asset's config to an ``Outcome``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel, ValidationError

from pacbot.assessor.conditions.operators import Operator
from pacbot.assessor.conditions.outcome import Outcome, Status
from pacbot.assessor.conditions.registry import CheckFn
from pacbot.assessor.conditions.value_types import Missing, ValueType

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


class TagKey:
    """``tag:Name``: the asset's flattened ``Tags`` map (or a Key/Value list) at ``Name``."""

    def __init__(self, name: str) -> None:
        self.name = name

    def search(self, config: Mapping[str, Any]) -> Any:
        """The tag's value, or None when the asset has no such tag."""
        tags = config.get("Tags")
        if isinstance(tags, Mapping):
            return tags.get(self.name)
        if isinstance(tags, list):
            for tag in tags:
                if isinstance(tag, Mapping) and tag.get("Key") == self.name:
                    return tag.get("Value")
        return None


def _show(value: Any) -> str:
    if isinstance(value, list) and value and not isinstance(value[0], str | int | float):
        return repr([str(v) for v in value])
    return repr(value)


@dataclass(frozen=True)
class ValueCheck:
    """``{key, op, value, value_type}``: a JMESPath into the config compared with an operator.

    ``prepared`` is the literal value already converted by the value type at load time;
    a ``{param: ...}`` value is converted at evaluation instead.
    """

    key: str
    expression: Any  # jmespath.parser.ParsedResult or TagKey, compiled at load time
    op: Operator
    value: Any = None
    value_type: ValueType | None = None
    prepared: Any = None

    def evaluate(self, config: Mapping[str, Any], params: Params) -> Outcome:
        """Pass when the operator holds for the value found at ``key``."""
        actual = self.expression.search(config)
        evidence = {self.key: actual}
        if not self.op.takes_value:
            ok = self.op.test(actual, None)
            return Outcome.of(
                ok, lambda: f"{self.key} = {actual!r} (should {self.op.phrase})", evidence
            )
        vt = self.value_type
        expected = resolve(self.value, params)
        if vt is None:
            try:
                ok = self.op.test(actual, expected)
            except (TypeError, re.error) as exc:
                return Outcome("error", f"{self.key}: {exc}", evidence)
            return Outcome.of(
                ok,
                lambda: f"{self.key} = {actual!r} (should {self.op.phrase} {expected!r})",
                evidence,
            )
        wanted = f"{self.op.phrase} {expected!r}{vt.unit} [{vt.name}]"
        try:
            prepared = (
                self.prepared if not isinstance(self.value, ParamRef) else vt.prepare(expected)
            )
            left, right = vt.convert(actual, prepared, datetime.now(UTC))
            ok = vt.tests.get(self.op.name, self.op.test)(left, right)
        except Missing:
            return Outcome("fail", f"{self.key} is missing (should {wanted})", evidence)
        except (TypeError, ValueError, re.error) as exc:
            return Outcome("error", f"{self.key} [{vt.name}]: {exc}", evidence)
        shown = left if vt.name != "swap" else right
        note = vt.note(left) if vt.note else _show(shown)
        if vt.note:
            evidence[f"{self.key} ({vt.name})"] = (
                round(left, 3) if isinstance(left, float) else left
            )
        return Outcome.of(ok, f"{self.key} = {actual!r} ({note}; should {wanted})", evidence)


@dataclass(frozen=True)
class _Junction:
    """``and`` / ``or``: the first child with the deciding status decides; else ``_settle``."""

    children: tuple[Condition, ...]
    decides: ClassVar[Status]
    otherwise: ClassVar[Status]
    joiner: ClassVar[str]

    def evaluate(self, config: Mapping[str, Any], params: Params) -> Outcome:
        """Short-circuit on the deciding status, otherwise settle over every child."""
        seen: list[Outcome] = []
        for child in self.children:
            outcome = child.evaluate(config, params)
            seen.append(outcome)
            if outcome.status == self.decides:
                return Outcome(self.decides, outcome._reason, _merge(seen))
        return _settle(seen, self.otherwise, self.joiner.join)


@dataclass(frozen=True)
class AllOf(_Junction):
    """``and``: fails on the first failing child; errors if a child errors and none fails."""

    decides = "fail"
    otherwise = "pass"
    joiner = "; "


@dataclass(frozen=True)
class AnyOf(_Junction):
    """``or``: passes on the first passing child."""

    decides = "pass"
    otherwise = "fail"
    joiner = " and "


def _settle(seen: list[Outcome], verdict: Status, join: Any) -> Outcome:
    errors = [o for o in seen if o.status == "error"]
    if errors:
        return Outcome("error", lambda: join(o.reason for o in errors), _merge(seen))
    decided = [o for o in seen if o.status != "not_applicable"]
    if not decided:
        return Outcome("not_applicable", lambda: join(o.reason for o in seen), _merge(seen))
    return Outcome(verdict, lambda: join(o.reason for o in decided), _merge(seen))


@dataclass(frozen=True)
class Negation:
    """``not``: swaps pass and fail; error and not_applicable stay as they are."""

    child: Condition

    def evaluate(self, config: Mapping[str, Any], params: Params) -> Outcome:
        """Pass when the child fails."""
        outcome = self.child.evaluate(config, params)
        if outcome.status == "pass":
            return Outcome("fail", lambda: f"must not hold: {outcome.reason}", outcome.evidence)
        if outcome.status == "fail":
            return Outcome(
                "pass", lambda: f"does not hold, as required: {outcome.reason}", outcome.evidence
            )
        return outcome


def _first_problem(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else str(error["msg"])


@dataclass(frozen=True)
class CheckCall:
    """``{check: name, ...args}``: a registered Python check for shapes values cannot express.

    With a declared argument ``model``, ``args`` are the validated values when they hold no
    ``{param: ...}``; otherwise they are validated after resolving the params.
    """

    name: str
    fn: CheckFn
    args: tuple[tuple[str, Any], ...]
    model: type[BaseModel] | None = None
    resolved: bool = False

    def evaluate(self, config: Mapping[str, Any], params: Params) -> Outcome:
        """Run the check; an exception inside it is an ``error`` result, never a crash."""
        args = {name: resolve(value, params) for name, value in self.args}
        if self.model is not None and not self.resolved:
            try:
                args = self.model.model_validate(args).model_dump()
            except ValidationError as exc:
                return Outcome("error", f"check {self.name}: bad argument {_first_problem(exc)}")
        try:
            verdict = self.fn(config, **args)
        except Exception as exc:
            return Outcome("error", f"check {self.name} raised {exc!r}")
        if isinstance(verdict, Outcome):
            return verdict
        return Outcome.of(bool(verdict), f"check {self.name} {'passed' if verdict else 'failed'}")
