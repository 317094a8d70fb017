"""Turns a policy's raw ``condition`` mapping into a node tree, or says precisely what is wrong."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import jmespath
from jmespath.exceptions import JMESPathError

from pacbot.assessor.conditions.nodes import (
    AllOf,
    AnyOf,
    CheckCall,
    Condition,
    Negation,
    ParamRef,
    ValueCheck,
)
from pacbot.assessor.conditions.operators import OPERATORS
from pacbot.assessor.conditions.outcome import ConditionError
from pacbot.assessor.conditions.registry import CheckRegistry

Path = tuple[str | int, ...]
_FORMS = ("key", "and", "or", "not", "check")
_VALUE_FIELDS = {"key", "op", "value"}


def compile_condition(
    raw: Any, path: Path, params: Mapping[str, Any], checks: CheckRegistry
) -> Condition:
    """Compile ``raw`` found at ``path``; ``params`` are the names ``{param: ...}`` may use."""
    if not isinstance(raw, dict):
        raise ConditionError(path, f"expected a mapping with one of {', '.join(_FORMS)}")
    forms = [form for form in _FORMS if form in raw]
    if len(forms) != 1:
        found = ", ".join(forms) or ", ".join(map(str, raw)) or "nothing"
        raise ConditionError(path, f"expected exactly one of {', '.join(_FORMS)}; found {found}")
    form = forms[0]
    if form in ("and", "or"):
        return _combine(form, raw, path, params, checks)
    if form == "not":
        _only(raw, {"not"}, path)
        return Negation(compile_condition(raw["not"], (*path, "not"), params, checks))
    if form == "check":
        return _check(raw, path, params, checks)
    return _value_check(raw, path, params)


def _only(raw: dict[str, Any], allowed: set[str], path: Path) -> None:
    for name in raw:
        if name not in allowed:
            raise ConditionError(
                (*path, name), f"unexpected field; allowed: {', '.join(sorted(allowed))}"
            )


def _combine(
    form: str, raw: dict[str, Any], path: Path, params: Mapping[str, Any], checks: CheckRegistry
) -> Condition:
    _only(raw, {form}, path)
    items = raw[form]
    if not isinstance(items, list) or not items:
        raise ConditionError((*path, form), "expected a non-empty list of conditions")
    children = tuple(
        compile_condition(item, (*path, form, i), params, checks) for i, item in enumerate(items)
    )
    return AllOf(children) if form == "and" else AnyOf(children)


def _param_or_literal(value: Any, path: Path, params: Mapping[str, Any]) -> Any:
    if isinstance(value, dict) and "param" in value:
        _only(value, {"param"}, path)
        name = value["param"]
        if name not in params:
            known = ", ".join(sorted(params)) or "none declared"
            raise ConditionError(
                (*path, "param"), f"unknown param {name!r}; expected one of {known}"
            )
        return ParamRef(name)
    return value


def _check(
    raw: dict[str, Any], path: Path, params: Mapping[str, Any], checks: CheckRegistry
) -> Condition:
    name = raw["check"]
    fn = checks.get(name) if isinstance(name, str) else None
    if fn is None:
        known = ", ".join(checks.names()) or "none registered"
        raise ConditionError((*path, "check"), f"unknown check {name!r}; expected one of {known}")
    args = {k: _param_or_literal(v, (*path, k), params) for k, v in raw.items() if k != "check"}
    problem = checks.bind_error(name, args)
    if problem:
        raise ConditionError(path, f"bad arguments for check {name!r}: {problem}")
    return CheckCall(name, fn, tuple(sorted(args.items())))


def _value_check(raw: dict[str, Any], path: Path, params: Mapping[str, Any]) -> Condition:
    _only(raw, _VALUE_FIELDS, path)
    key = raw["key"]
    if not isinstance(key, str) or not key:
        raise ConditionError((*path, "key"), "expected a JMESPath expression (a string)")
    try:
        expression = jmespath.compile(key)
    except JMESPathError as exc:
        detail = str(exc).splitlines()[0]
        raise ConditionError((*path, "key"), f"invalid JMESPath {key!r}: {detail}") from exc
    op_name = raw.get("op")
    operator = OPERATORS.get(op_name) if isinstance(op_name, str) else None
    if operator is None:
        where = (*path, "op") if "op" in raw else path
        what = f"unknown operator {op_name!r}" if "op" in raw else "missing op"
        raise ConditionError(where, f"{what}; expected one of {', '.join(OPERATORS)}")
    if not operator.takes_value:
        if "value" in raw:
            raise ConditionError((*path, "value"), f"operator {operator.name!r} takes no value")
        return ValueCheck(key, expression, operator)
    if "value" not in raw:
        raise ConditionError(path, f"operator {operator.name!r} needs a value")
    value = _param_or_literal(raw["value"], (*path, "value"), params)
    if not isinstance(value, ParamRef):
        _check_literal(operator.name, value, (*path, "value"))
    return ValueCheck(key, expression, operator, value)


def _check_literal(op: str, value: Any, path: Path) -> None:
    if op in ("in", "not-in") and not isinstance(value, list):
        raise ConditionError(path, f"operator {op!r} expects a list")
    if op == "regex":
        if not isinstance(value, str):
            raise ConditionError(path, "operator 'regex' expects a string pattern")
        try:
            re.compile(value)
        except re.error as exc:
            raise ConditionError(path, f"invalid regular expression: {exc}") from exc
