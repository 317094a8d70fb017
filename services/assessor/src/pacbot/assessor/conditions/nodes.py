"""The compiled condition tree; bound to its params, each node judges a config to an ``Outcome``.

``bind(params)`` resolves every ``{param: ...}`` and specialises each check once (the operator
with its value fixed, the value type's conversion of that value, a check's validated
arguments), returning a plain function ``config -> Outcome``. Reasons and evidence are kept as
facts and formatted only when read (``Deferred``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel, ValidationError

from pacbot.assessor.conditions.operators import SWAPPED, Operator
from pacbot.assessor.conditions.outcome import Deferred, Outcome, Status
from pacbot.assessor.conditions.paths import Accessor
from pacbot.assessor.conditions.registry import CheckFn
from pacbot.assessor.conditions.value_types import Missing, ValueType

Params = Mapping[str, Any]
Evaluator = Callable[[Mapping[str, Any]], Outcome]


class Condition(Protocol):
    """Anything a policy's condition compiles to."""

    def bind(self, params: Params) -> Evaluator:
        """The condition with ``params`` resolved: a function of the config alone."""
        ...

    def evaluate(self, config: Mapping[str, Any], params: Params) -> Outcome:
        """Bind and judge one config (the hot path binds once and reuses the evaluator)."""
        ...


class _Node(ABC):
    """``evaluate`` for one-off callers; evaluating many configs should ``bind`` once."""

    @abstractmethod
    def bind(self, params: Params) -> Evaluator:
        """The node with ``params`` resolved: a function of the config alone."""

    def evaluate(self, config: Mapping[str, Any], params: Params) -> Outcome:
        """Bind to ``params`` and judge ``config``."""
        return self.bind(params)(config)


@dataclass(frozen=True)
class ParamRef:
    """``{param: name}``: the policy parameter's value, resolved when binding."""

    name: str


def resolve(value: Any, params: Params) -> Any:
    """The literal ``value``, or the parameter it refers to."""
    return params[value.name] if isinstance(value, ParamRef) else value


class TagKey:
    """``tag:Name``: the asset's flattened ``Tags`` map (or a Key/Value list) at ``Name``."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, config: Mapping[str, Any]) -> Any:
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
class _Plain:
    """Explains an untyped value check; the facts are the value found at the key."""

    key: str
    wanted: str  # "equal 1", or "be absent" for operators without a value

    def reason(self, actual: Any) -> str:
        return f"{self.key} = {actual!r} (should {self.wanted})"

    def evidence(self, actual: Any) -> dict[str, Any]:
        return {self.key: actual}


@dataclass(frozen=True)
class _Typed:
    """Explains a check with a ``value_type``; the facts are (actual, left, right)."""

    key: str
    vt: ValueType
    wanted: str

    def reason(self, facts: tuple[Any, Any, Any]) -> str:
        actual, left, _right = facts
        vt = self.vt
        if vt.name == "swap":  # nothing was converted, so there is nothing to note
            return f"{self.key} = {actual!r} (should {self.wanted})"
        note = vt.note(left) if vt.note else _show(left)
        return f"{self.key} = {actual!r} ({note}; should {self.wanted})"

    def evidence(self, facts: tuple[Any, Any, Any]) -> dict[str, Any]:
        actual, left, _right = facts
        evidence = {self.key: actual}
        if self.vt.note:
            shown = round(left, 3) if isinstance(left, float) else left
            evidence[f"{self.key} ({self.vt.name})"] = shown
        return evidence


@dataclass(frozen=True)
class ValueCheck(_Node):
    """``{key, op, value, value_type}``: a JMESPath into the config compared with an operator.

    ``prepared`` is the literal value already converted by the value type at load time;
    a ``{param: ...}`` value is converted when binding instead.
    """

    key: str
    expression: Accessor  # a compiled JMESPath (conditions.paths) or a TagKey
    op: Operator
    value: Any = None
    value_type: ValueType | None = None
    prepared: Any = None

    def bind(self, params: Params) -> Evaluator:
        """The check with its value resolved and its operator specialised."""
        key, get, op = self.key, self.expression, self.op
        if not op.takes_value:
            return _untyped(key, get, op.bind(None), _Plain(key, op.phrase))
        expected = resolve(self.value, params)
        if self.value_type is None:
            return _untyped(key, get, op.bind(expected), _Plain(key, f"{op.phrase} {expected!r}"))
        return self._typed(expected)

    def _typed(self, expected: Any) -> Evaluator:
        key, get, vt = self.key, self.expression, self.value_type
        assert vt is not None
        try:
            prepared = vt.prepare(expected) if isinstance(self.value, ParamRef) else self.prepared
        except (TypeError, ValueError) as exc:  # incl. an invalid pattern (PatternError)
            return _always_error(key, get, f"{key} [{vt.name}]: {exc}")
        phrase = SWAPPED[self.op.name].phrase if vt.name == "swap" else self.op.phrase
        wanted = f"{phrase} {expected!r}{vt.unit} [{vt.name}]"
        explainer = _Typed(key, vt, wanted)
        convert, clock = vt.convert, vt.uses_clock
        test = vt.tests.get(self.op.name, self.op.test)

        def judge(config: Mapping[str, Any]) -> Outcome:
            actual = get(config)
            try:
                left, right = convert(actual, prepared, datetime.now(UTC) if clock else None)
                ok = test(left, right)
            except Missing:
                return Outcome("fail", f"{key} is missing (should {wanted})", {key: actual})
            except (TypeError, ValueError) as exc:
                return Outcome("error", f"{key} [{vt.name}]: {exc}", {key: actual})
            return Deferred("pass" if ok else "fail", explainer, (actual, left, right))

        return judge


def _untyped(key: str, get: Accessor, test: Callable[[Any], bool], explainer: _Plain) -> Evaluator:
    def judge(config: Mapping[str, Any]) -> Outcome:
        actual = get(config)
        try:
            ok = test(actual)
        except (TypeError, ValueError) as exc:  # incl. an invalid pattern (PatternError)
            return Outcome("error", f"{key}: {exc}", {key: actual})
        return Deferred("pass" if ok else "fail", explainer, actual)

    return judge


def _always_error(key: str, get: Accessor, reason: str) -> Evaluator:
    """A check whose value cannot be used with these params: every evaluation is an error."""
    return lambda config: Outcome("error", reason, {key: get(config)})


def _merge(outcomes: list[Outcome]) -> dict[str, Any]:
    evidence: dict[str, Any] = {}
    for outcome in outcomes:
        evidence.update(outcome.evidence)
    return evidence


@dataclass(frozen=True)
class _Decided:
    """A junction settled by one child: that child's reason, everyone's evidence so far."""

    def reason(self, seen: list[Outcome]) -> str:
        return seen[-1].reason

    def evidence(self, seen: list[Outcome]) -> dict[str, Any]:
        return _merge(seen)


@dataclass(frozen=True)
class _Joined:
    """A junction settled by all its children: the reasons of some of them, joined.

    ``which``: "error" (the erroring children), "decided" (all but not_applicable) or "all".
    """

    joiner: str
    which: str

    def reason(self, seen: list[Outcome]) -> str:
        if self.which == "all":
            return self.joiner.join(o.reason for o in seen)
        if self.which == "decided":
            return self.joiner.join(o.reason for o in seen if o.status != "not_applicable")
        return self.joiner.join(o.reason for o in seen if o.status == "error")

    def evidence(self, seen: list[Outcome]) -> dict[str, Any]:
        return _merge(seen)


_DECIDED = _Decided()


@dataclass(frozen=True)
class _Junction(_Node):
    """``and`` / ``or``: the first child with the deciding status decides; else ``_settle``."""

    children: tuple[Condition, ...]
    decides: ClassVar[Status]
    otherwise: ClassVar[Status]
    joiner: ClassVar[str]

    def bind(self, params: Params) -> Evaluator:
        """Short-circuit on the deciding status, otherwise settle over every child."""
        children = tuple(child.bind(params) for child in self.children)
        decides, otherwise = self.decides, self.otherwise
        errors, unknown, decided = (_Joined(self.joiner, w) for w in ("error", "all", "decided"))

        def judge(config: Mapping[str, Any]) -> Outcome:
            seen: list[Outcome] = []
            failed = applicable = False
            for child in children:
                outcome = child(config)
                seen.append(outcome)
                status = outcome.status
                if status == decides:
                    return Deferred(decides, _DECIDED, seen)
                if status == "error":
                    failed = applicable = True
                elif status != "not_applicable":
                    applicable = True
            if failed:
                return Deferred("error", errors, seen)
            if not applicable:
                return Deferred("not_applicable", unknown, seen)
            return Deferred(otherwise, decided, seen)

        return judge


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


@dataclass(frozen=True)
class _Negated:
    """``not``: the child's reason behind a prefix, the child's evidence as it is."""

    prefix: str

    def reason(self, child: Outcome) -> str:
        return f"{self.prefix}{child.reason}"

    def evidence(self, child: Outcome) -> dict[str, Any]:
        return child.evidence


_MUST_NOT = _Negated("must not hold: ")
_DOES_NOT = _Negated("does not hold, as required: ")


@dataclass(frozen=True)
class Negation(_Node):
    """``not``: swaps pass and fail; error and not_applicable stay as they are."""

    child: Condition

    def bind(self, params: Params) -> Evaluator:
        """Pass when the child fails."""
        child = self.child.bind(params)

        def judge(config: Mapping[str, Any]) -> Outcome:
            outcome = child(config)
            status = outcome.status
            if status == "pass":
                return Deferred("fail", _MUST_NOT, outcome)
            if status == "fail":
                return Deferred("pass", _DOES_NOT, outcome)
            return outcome

        return judge


def _first_problem(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else str(error["msg"])


@dataclass(frozen=True)
class CheckCall(_Node):
    """``{check: name, ...args}``: a registered Python check for shapes values cannot express.

    With a declared argument ``model``, ``args`` are the validated values when they hold no
    ``{param: ...}``; otherwise they are validated when binding, after resolving the params.
    """

    name: str
    fn: CheckFn
    args: tuple[tuple[str, Any], ...]
    model: type[BaseModel] | None = None
    resolved: bool = False

    def bind(self, params: Params) -> Evaluator:
        """The check with its arguments resolved and validated once."""
        name = self.name
        args = {arg: resolve(value, params) for arg, value in self.args}
        if self.model is not None and not self.resolved:
            try:
                args = self.model.model_validate(args).model_dump()
            except ValidationError as exc:
                reason = f"check {name}: bad argument {_first_problem(exc)}"
                return lambda config: Outcome("error", reason)
        run = partial(self.fn, **args)

        def judge(config: Mapping[str, Any]) -> Outcome:
            try:
                verdict = run(config)
            except Exception as exc:
                return Outcome("error", f"check {name} raised {exc!r}")
            if isinstance(verdict, Outcome):
                return verdict
            return Outcome.of(bool(verdict), f"check {name} {'passed' if verdict else 'failed'}")

        return judge
