"""Turns a policy's raw ``condition`` mapping into a node tree, or says precisely what is wrong."""

from __future__ import annotations

from collections.abc import Mapping
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
from pacbot.assessor.conditions.paths import compile_path
from pacbot.assessor.conditions.registry import CheckRegistry
from pacbot.assessor.conditions.value_types import VALUE_TYPES

Path = tuple[str | int, ...]
_FORMS = ("key", "and", "or", "not", "check")
_VALUE_FIELDS = {"key", "op", "value", "value_type"}
_PATTERN_OPS = ("regex", "regex-case", "glob")


def compile_condition(
    raw: Any, path: Path, params: Mapping[str, Any], checks: CheckRegistry
) -> Condition:
    """Compile ``raw`` found at ``path``; ``params`` are the names ``{param: ...}`` may use."""
    if not isinstance(raw, dict):
        raise ConditionError(path, f"expected a mapping with one of {', '.join(_FORMS)}")
    if "check" in raw:  # a check's own arguments may include ``key``
        return _check(raw, path, params, checks)
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
    spec = checks.spec(name) if isinstance(name, str) else None
    if spec is None:
        known = ", ".join(checks.names()) or "none registered"
        raise ConditionError((*path, "check"), f"unknown check {name!r}; expected one of {known}")
    args = {k: _param_or_literal(v, (*path, k), params) for k, v in raw.items() if k != "check"}
    if spec.args is None:
        problem = checks.bind_error(name, args)
        if problem:
            raise ConditionError(path, f"bad arguments for check {name!r}: {problem}")
        return CheckCall(name, spec.fn, tuple(sorted(args.items())))
    has_params = any(isinstance(v, ParamRef) for v in args.values())
    with_defaults = {k: params[v.name] if isinstance(v, ParamRef) else v for k, v in args.items()}
    try:
        validated = spec.args.model_validate(with_defaults).model_dump()
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        where = (*path, *loc) if loc else path
        if error["type"] == "extra_forbidden":
            message = f"unknown argument for check {name!r}"
        elif error["type"] == "missing":
            message = f"check {name!r} needs this argument"
        else:
            message = f"bad argument for check {name!r}: {error['msg']}"
        raise ConditionError(where, message) from exc
    if has_params:
        return CheckCall(name, spec.fn, tuple(sorted(args.items())), spec.args)
    return CheckCall(name, spec.fn, tuple(sorted(validated.items())), spec.args, resolved=True)


def _compile_key(key: Any, path: Path) -> Any:
    if not isinstance(key, str) or not key:
        raise ConditionError(path, "expected a JMESPath expression (a string)")
    if key.startswith("tag:"):
        if len(key) == 4:
            raise ConditionError(path, "expected a tag name after 'tag:'")
        return TagKey(key[4:])
    try:
        return compile_path(key)
    except JMESPathError as exc:
        detail = str(exc).splitlines()[0]
        raise ConditionError(path, f"invalid JMESPath {key!r}: {detail}") from exc


def _value_check(raw: dict[str, Any], path: Path, params: Mapping[str, Any]) -> Condition:
    _only(raw, _VALUE_FIELDS, path)
    key = raw["key"]
    expression = _compile_key(key, (*path, "key"))
    op_name = raw.get("op")
    operator = lookup(op_name)
    if operator is None:
        where = (*path, "op") if "op" in raw else path
        what = f"unknown operator {op_name!r}" if "op" in raw else "missing op"
        raise ConditionError(where, f"{what}; expected one of {', '.join(OPERATORS)}")
    value_type = None
    if "value_type" in raw:
        vt_name = raw["value_type"]
        value_type = VALUE_TYPES.get(vt_name) if isinstance(vt_name, str) else None
        if value_type is None:
            raise ConditionError(
                (*path, "value_type"),
                f"unknown value_type {vt_name!r}; expected one of {', '.join(VALUE_TYPES)}",
            )
        if operator.name not in value_type.ops:
            raise ConditionError(
                (*path, "op"),
                f"operator {operator.name!r} does not apply to value_type {vt_name!r}; "
                f"expected one of {', '.join(sorted(value_type.ops))}",
            )
    if not operator.takes_value:
        if "value" in raw:
            raise ConditionError((*path, "value"), f"operator {operator.name!r} takes no value")
        return ValueCheck(key, expression, operator)
    if "value" not in raw:
        raise ConditionError(path, f"operator {operator.name!r} needs a value")
    value = _param_or_literal(raw["value"], (*path, "value"), params)
    literal = params[value.name] if isinstance(value, ParamRef) else value
    where = (*path, "value")
    if value_type is None or value_type.name not in ("swap", "cidr"):
        _check_literal(operator.name, literal, where)
    prepared = None
    if value_type is not None:
        keep_pattern = value_type.name == "normalize" and operator.name in _PATTERN_OPS
        try:
            prepared = literal if keep_pattern else value_type.prepare(literal)
        except ValueError as exc:
            message = f"bad value for value_type {value_type.name!r}: {exc}"
            raise ConditionError(where, message) from exc
    return ValueCheck(key, expression, operator, value, value_type, prepared)


def _check_literal(op: str, value: Any, path: Path) -> None:
    if op in ("in", "not-in", "intersect", "difference") and not isinstance(value, list):
        raise ConditionError(path, f"operator {op!r} expects a list")
    if op in _PATTERN_OPS and not isinstance(value, str):
        raise ConditionError(path, f"operator {op!r} expects a string pattern")
    if op in ("regex", "regex-case"):
        try:
            patterns.check(value)
        except patterns.PatternError as exc:
            raise ConditionError(path, str(exc)) from exc
