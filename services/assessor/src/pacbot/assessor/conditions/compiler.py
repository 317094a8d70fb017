"""Turns a policy's raw ``condition`` mapping into a node tree, or says precisely what is wrong.

``compile_condition`` raises the first problem, which is what the loader needs: a bad file is
rejected. ``diagnose_condition`` walks the whole tree and keeps every problem, for lint.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from jmespath.exceptions import JMESPathError
from pydantic import ValidationError

from pacbot.assessor.conditions import patterns
from pacbot.assessor.conditions.nodes import (
    AllOf,
    AnyOf,
    CheckCall,
    Condition,
    Negation,
    ParamRef,
    TagKey,
    ValueCheck,
)
from pacbot.assessor.conditions.operators import OPERATORS, lookup
from pacbot.assessor.conditions.outcome import ConditionError
from pacbot.assessor.conditions.paths import Accessor, compile_path
from pacbot.assessor.conditions.registry import CheckRegistry
from pacbot.assessor.conditions.value_types import VALUE_TYPES

Path = tuple[str | int, ...]
_FORMS = ("key", "and", "or", "not", "check")
_VALUE_FIELDS = {"key", "op", "value", "value_type", "value_regex"}
_PATTERN_OPS = ("regex", "regex-case", "glob")
_INVALID = object()
"""What a ``{param: ...}`` with a problem stands for: nothing further is checked against it."""


@dataclass
class ConditionReport:
    """Everything a walk of one condition found.

    ``condition`` is the compiled tree when there are no problems. ``params_used`` names the
    declared params the tree refers to; ``keys`` is every config key written in it (a value
    check's ``key``, a check's ``key`` argument), with its path, for shape checks.
    """

    condition: Condition | None = None
    problems: list[ConditionError] = field(default_factory=list)
    params_used: set[str] = field(default_factory=set)
    keys: list[tuple[Path, str]] = field(default_factory=list)


def compile_condition(
    raw: Any, path: Path, params: Mapping[str, Any], checks: CheckRegistry
) -> Condition:
    """Compile ``raw`` found at ``path``; ``params`` are the names ``{param: ...}`` may use."""
    report = diagnose_condition(raw, path, params, checks)
    if report.problems:
        raise report.problems[0]
    assert report.condition is not None
    return report.condition


def diagnose_condition(
    raw: Any,
    path: Path,
    params: Mapping[str, Any],
    checks: CheckRegistry,
    unresolved: Collection[str] = (),
) -> ConditionReport:
    """Compile ``raw`` and keep every problem, in document order.

    ``unresolved`` names params that are declared but whose default is unknown (its own
    declaration is wrong): references to them are accepted and their value is not checked.
    """
    walk = _Walk(params, frozenset(unresolved), checks)
    condition = walk.node(raw, path)
    report = walk.report
    report.condition = condition if not report.problems else None
    return report


class _Walk:
    """One compilation: each method returns its node, or None after recording its problems."""

    def __init__(
        self, params: Mapping[str, Any], unresolved: frozenset[str], checks: CheckRegistry
    ) -> None:
        self.params = params
        self.unresolved = unresolved
        self.checks = checks
        self.report = ConditionReport()

    def problem(self, path: Path, message: str) -> None:
        self.report.problems.append(ConditionError(path, message))

    def node(self, raw: Any, path: Path) -> Condition | None:
        if not isinstance(raw, dict):
            self.problem(path, f"expected a mapping with one of {', '.join(_FORMS)}")
            return None
        if "check" in raw:  # a check's own arguments may include ``key``
            return self.check(raw, path)
        forms = [form for form in _FORMS if form in raw]
        if len(forms) != 1:
            found = ", ".join(forms) or ", ".join(map(str, raw)) or "nothing"
            self.problem(path, f"expected exactly one of {', '.join(_FORMS)}; found {found}")
            return None
        form = forms[0]
        if form in ("and", "or"):
            return self.combine(form, raw, path)
        if form == "not":
            clean = self.only(raw, {"not"}, path)
            child = self.node(raw["not"], (*path, "not"))
            return Negation(child) if clean and child is not None else None
        return self.value_check(raw, path)

    def only(self, raw: dict[Any, Any], allowed: set[str], path: Path) -> bool:
        """Record every field of ``raw`` not in ``allowed``; True when there is none."""
        extra = [name for name in raw if name not in allowed]
        for name in extra:
            self.problem((*path, name), f"unexpected field; allowed: {', '.join(sorted(allowed))}")
        return not extra

    def combine(self, form: str, raw: dict[str, Any], path: Path) -> Condition | None:
        clean = self.only(raw, {form}, path)
        items = raw[form]
        if not isinstance(items, list) or not items:
            self.problem((*path, form), "expected a non-empty list of conditions")
            return None
        children = [self.node(item, (*path, form, i)) for i, item in enumerate(items)]
        compiled = tuple(child for child in children if child is not None)
        if not clean or len(compiled) != len(children):
            return None
        return AllOf(compiled) if form == "and" else AnyOf(compiled)

    def param_or_literal(self, value: Any, path: Path) -> Any:
        """``value``, or its ParamRef; ``_INVALID`` after recording why the reference is bad."""
        if not (isinstance(value, dict) and "param" in value):
            return value
        clean = self.only(value, {"param"}, path)
        name = value["param"]
        if not isinstance(name, str):
            self.problem((*path, "param"), "expected a param name (a string)")
            return _INVALID
        if name not in self.params and name not in self.unresolved:
            known = ", ".join(sorted({*self.params, *self.unresolved})) or "none declared"
            self.problem((*path, "param"), f"unknown param {name!r}; expected one of {known}")
            return _INVALID
        self.report.params_used.add(name)
        return ParamRef(name) if clean else _INVALID

    def resolved(self, value: Any) -> bool:
        """Whether ``value``'s literal is known (it is no param with an unknown default)."""
        return not (isinstance(value, ParamRef) and value.name in self.unresolved)

    def check(self, raw: dict[str, Any], path: Path) -> Condition | None:
        name = raw["check"]
        spec = self.checks.spec(name) if isinstance(name, str) else None
        if spec is None:
            known = ", ".join(self.checks.names()) or "none registered"
            self.problem((*path, "check"), f"unknown check {name!r}; expected one of {known}")
        args = {k: self.param_or_literal(v, (*path, k)) for k, v in raw.items() if k != "check"}
        self.check_key(args, path)
        if spec is None or any(v is _INVALID for v in args.values()):
            return None
        if spec.args is None:
            problem = self.checks.bind_error(name, args)
            if problem:
                self.problem(path, f"bad arguments for check {name!r}: {problem}")
                return None
            return CheckCall(name, spec.fn, tuple(sorted(args.items())))
        if not all(self.resolved(v) for v in args.values()):
            return CheckCall(name, spec.fn, tuple(sorted(args.items())), spec.args)
        has_params = any(isinstance(v, ParamRef) for v in args.values())
        with_defaults = {
            k: self.params[v.name] if isinstance(v, ParamRef) else v for k, v in args.items()
        }
        try:
            validated = spec.args.model_validate(with_defaults).model_dump()
        except ValidationError as exc:
            for error in exc.errors():
                loc = tuple(error["loc"])
                self.problem((*path, *loc) if loc else path, _check_arg_message(name, error))
            return None
        if has_params:
            return CheckCall(name, spec.fn, tuple(sorted(args.items())), spec.args)
        return CheckCall(name, spec.fn, tuple(sorted(validated.items())), spec.args, resolved=True)

    def check_key(self, args: dict[str, Any], path: Path) -> None:
        """Note a check's ``key`` argument (a config key) as written or as its param default."""
        key = args.get("key")
        if isinstance(key, ParamRef) and self.resolved(key):
            key = self.params[key.name]
        if isinstance(key, str):
            self.report.keys.append(((*path, "key"), key))

    def key(self, key: Any, path: Path) -> Any:
        if not isinstance(key, str) or not key:
            self.problem(path, "expected a JMESPath expression (a string)")
            return None
        if key.startswith("tag:"):
            if len(key) == 4:
                self.problem(path, "expected a tag name after 'tag:'")
                return None
            self.report.keys.append((path, key))
            return TagKey(key[4:])
        try:
            expression = compile_path(key)
        except JMESPathError as exc:
            detail = str(exc).splitlines()[0]
            self.problem(path, f"invalid JMESPath {key!r}: {detail}")
            return None
        self.report.keys.append((path, key))
        return expression

    def value_check(self, raw: dict[str, Any], path: Path) -> Condition | None:
        before = len(self.report.problems)
        self.only(raw, _VALUE_FIELDS, path)
        key = raw["key"]
        expression = self.key(key, (*path, "key"))
        if "value_regex" in raw and expression is not None:
            expression = self.value_regex(raw["value_regex"], expression, (*path, "value_regex"))
        op_name = raw.get("op")
        operator = lookup(op_name)
        if operator is None:
            where = (*path, "op") if "op" in raw else path
            what = f"unknown operator {op_name!r}" if "op" in raw else "missing op"
            self.problem(where, f"{what}; expected one of {', '.join(OPERATORS)}")
        value_type = None
        if "value_type" in raw:
            vt_name = raw["value_type"]
            value_type = VALUE_TYPES.get(vt_name) if isinstance(vt_name, str) else None
            if value_type is None:
                self.problem(
                    (*path, "value_type"),
                    f"unknown value_type {vt_name!r}; expected one of {', '.join(VALUE_TYPES)}",
                )
            elif operator is not None and operator.name not in value_type.ops:
                self.problem(
                    (*path, "op"),
                    f"operator {operator.name!r} does not apply to value_type {vt_name!r}; "
                    f"expected one of {', '.join(sorted(value_type.ops))}",
                )
        if operator is None:  # nothing to judge the value against; still note its params
            if "value" in raw:
                self.param_or_literal(raw["value"], (*path, "value"))
            return None
        if not operator.takes_value:
            if "value" in raw:
                self.problem((*path, "value"), f"operator {operator.name!r} takes no value")
            if len(self.report.problems) > before:
                return None
            return ValueCheck(key, expression, operator)
        if "value" not in raw:
            self.problem(path, f"operator {operator.name!r} needs a value")
            return None
        where = (*path, "value")
        value = self.param_or_literal(raw["value"], where)
        if value is _INVALID:
            return None
        if not self.resolved(value):  # the param's own declaration is already reported
            if len(self.report.problems) > before:
                return None
            return ValueCheck(key, expression, operator, value, value_type, None)
        literal = self.params[value.name] if isinstance(value, ParamRef) else value
        if value_type is None or value_type.name not in ("swap", "cidr"):
            self.check_literal(operator.name, literal, where)
        prepared = None
        if value_type is not None:
            keep_pattern = value_type.name == "normalize" and operator.name in _PATTERN_OPS
            try:
                prepared = literal if keep_pattern else value_type.prepare(literal)
            except ValueError as exc:
                self.problem(where, f"bad value for value_type {value_type.name!r}: {exc}")
        if len(self.report.problems) > before:
            return None
        return ValueCheck(key, expression, operator, value, value_type, prepared)

    def value_regex(self, pattern: Any, expression: Accessor, path: Path) -> Accessor | None:
        """The key's value narrowed to the first group ``pattern`` captures from its start
        (Custodian's ``value_regex``); None (missing) when it is not a string or no match."""
        if not isinstance(pattern, str):
            self.problem(path, "expected a regular expression with one capture group")
            return None
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            self.problem(path, f"invalid regular expression: {exc}")
            return None
        if compiled.groups != 1:
            self.problem(path, f"expected exactly one capture group, found {compiled.groups}")
            return None

        def captured(config: Mapping[str, Any]) -> Any:
            value = expression(config)
            match = compiled.match(value) if isinstance(value, str) else None
            return match.group(1) if match else None

        return captured

    def check_literal(self, op: str, value: Any, path: Path) -> None:
        if op in ("in", "not-in", "intersect", "difference") and not isinstance(value, list):
            self.problem(path, f"operator {op!r} expects a list")
        elif op in _PATTERN_OPS and not isinstance(value, str):
            self.problem(path, f"operator {op!r} expects a string pattern")
        elif op in ("regex", "regex-case"):
            try:
                patterns.check(value)
            except patterns.PatternError as exc:
                self.problem(path, str(exc))


def _check_arg_message(name: str, error: Mapping[str, Any]) -> str:
    if error["type"] == "extra_forbidden":
        return f"unknown argument for check {name!r}"
    if error["type"] == "missing":
        return f"check {name!r} needs this argument"
    return f"bad argument for check {name!r}: {error['msg']}"
