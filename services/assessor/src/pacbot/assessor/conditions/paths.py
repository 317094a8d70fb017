"""JMESPath keys compiled once into plain Python closures with the library's exact semantics.

``jmespath``'s ``ParsedResult.search`` builds a new interpreter per call and walks the AST
through a dispatching visitor; on small config documents that costs more than the answer.
``compile_path`` turns the parsed AST into nested closures, one per node, each a transcription
of the matching ``TreeInterpreter.visit_*`` method (same truthiness, comparisons, projections,
and functions called through the library's own type-checked function table).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

import jmespath
from jmespath import visitor

Accessor = Callable[[Any], Any]
Node = dict[str, Any]

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_INTERPRETER = visitor.TreeInterpreter()
_CALL_FUNCTION = _INTERPRETER._functions.call_function
_ORDERING = {"lt": operator.lt, "gt": operator.gt, "lte": operator.le, "gte": operator.ge}
_is_false = _INTERPRETER._is_false
_equals = visitor._equals
_is_comparable = visitor._is_comparable
_is_actual_number = visitor._is_actual_number


def field_path(key: str) -> Accessor | None:
    """A walk over nested maps for a plain dotted key (``A.B.C``), or None for anything else.

    A missing field, or a step into something that is not a map, yields None (JMESPath's answer).
    """
    if not _PLAIN.match(key):
        return None
    fields = tuple(key.split("."))
    if len(fields) == 1:
        (name,) = fields

        def one(value: Any) -> Any:
            return value.get(name) if isinstance(value, dict) else _get(value, name)

        return one

    def walk(value: Any) -> Any:
        for name in fields:
            if isinstance(value, dict):
                value = value.get(name)
            elif value is None:  # every later step of a missing field is missing too
                return None
            else:
                value = _get(value, name)
        return value

    return walk


def _get(value: Any, name: str) -> Any:
    """``visit_field`` for anything that is not a plain dict."""
    try:
        return value.get(name)
    except AttributeError:
        return None


@lru_cache(maxsize=1024)
def compile_path(key: str) -> Accessor:
    """The accessor for a JMESPath ``key``; raises ``JMESPathError`` when it does not parse."""
    fast = field_path(key)
    if fast is not None:
        return fast
    return compile_node(jmespath.compile(key).parsed)


def compile_node(node: Node) -> Accessor:
    """One closure for ``node`` and its children (see ``TreeInterpreter``)."""
    build = _BUILDERS.get(node["type"])
    if build is None:  # a node type this module does not know: the library interprets it
        return lambda value: _INTERPRETER.visit(node, value)
    return build(node)


def _children(node: Node) -> list[Accessor]:
    return [compile_node(child) for child in node["children"]]


def _chain(node: Node) -> Accessor:
    steps = _children(node)
    if len(steps) == 2:
        first, second = steps
        return lambda value: second(first(value))

    def run(value: Any) -> Any:
        for step in steps:
            value = step(value)
        return value

    return run


def _field(node: Node) -> Accessor:
    name = node["value"]
    return lambda value: value.get(name) if isinstance(value, dict) else _get(value, name)


def _comparator(node: Node) -> Accessor:
    left, right = _children(node)
    kind = node["value"]
    if kind == "eq":
        return lambda value: _equals(left(value), right(value))
    if kind == "ne":
        return lambda value: not _equals(left(value), right(value))
    compare = _ORDERING[kind]

    def ordered(value: Any) -> Any:
        a, b = left(value), right(value)
        if not (_is_comparable(a) and _is_comparable(b)):
            return None
        return compare(a, b)

    return ordered


def _current(node: Node) -> Accessor:
    return lambda value: value


def _expref(node: Node) -> Accessor:
    expression = node["children"][0]
    return lambda value: visitor._Expression(expression, _INTERPRETER)


def _function(node: Node) -> Accessor:
    name = node["value"]
    args = _children(node)
    if len(args) == 1:
        (only,) = args
        return lambda value: _CALL_FUNCTION(name, [only(value)])
    return lambda value: _CALL_FUNCTION(name, [arg(value) for arg in args])


def _filter_projection(node: Node) -> Accessor:
    base, project, condition = _children(node)

    def run(value: Any) -> Any:
        items = base(value)
        if not isinstance(items, list):
            return None
        return _projected((e for e in items if not _is_false(condition(e))), project)

    return run


def _flatten(node: Node) -> Accessor:
    (base,) = _children(node)

    def run(value: Any) -> Any:
        items = base(value)
        if not isinstance(items, list):
            return None
        merged: list[Any] = []
        for element in items:
            if isinstance(element, list):
                merged.extend(element)
            else:
                merged.append(element)
        return merged

    return run


def _index(node: Node) -> Accessor:
    position = node["value"]

    def run(value: Any) -> Any:
        if not isinstance(value, list):
            return None
        try:
            return value[position]
        except IndexError:
            return None

    return run


def _slice(node: Node) -> Accessor:
    window = slice(*node["children"])
    return lambda value: value[window] if isinstance(value, list) else None


def _literal(node: Node) -> Accessor:
    constant = node["value"]
    return lambda value: constant


def _multi_select_dict(node: Node) -> Accessor:
    pairs = [(child["value"], compile_node(child["children"][0])) for child in node["children"]]

    def run(value: Any) -> Any:
        if value is None:
            return None
        return {name: get(value) for name, get in pairs}

    return run


def _multi_select_list(node: Node) -> Accessor:
    items = _children(node)
    return lambda value: None if value is None else [get(value) for get in items]


def _or(node: Node) -> Accessor:
    left, right = _children(node)

    def run(value: Any) -> Any:
        matched = left(value)
        return right(value) if _is_false(matched) else matched

    return run


def _and(node: Node) -> Accessor:
    left, right = _children(node)

    def run(value: Any) -> Any:
        matched = left(value)
        return matched if _is_false(matched) else right(value)

    return run


def _not(node: Node) -> Accessor:
    (inner,) = _children(node)

    def run(value: Any) -> Any:
        result = inner(value)
        if _is_actual_number(result) and result == 0:
            return False  # !0 is false: 0 is not a special falsy value in JMESPath
        return not result

    return run


def _projection(node: Node) -> Accessor:
    base, project = _children(node)

    def run(value: Any) -> Any:
        items = base(value)
        return _projected(items, project) if isinstance(items, list) else None

    return run


def _value_projection(node: Node) -> Accessor:
    base, project = _children(node)

    def run(value: Any) -> Any:
        try:
            items = base(value).values()
        except AttributeError:
            return None
        return _projected(items, project)

    return run


def _projected(items: Iterable[Any], project: Accessor) -> list[Any]:
    """``project`` over ``items``, dropping None results (every JMESPath projection does)."""
    collected = []
    for element in items:
        current = project(element)
        if current is not None:
            collected.append(current)
    return collected


_BUILDERS: dict[str, Callable[[Node], Accessor]] = {
    "subexpression": _chain,
    "index_expression": _chain,
    "pipe": _chain,
    "field": _field,
    "comparator": _comparator,
    "current": _current,
    "identity": _current,
    "expref": _expref,
    "function_expression": _function,
    "filter_projection": _filter_projection,
    "flatten": _flatten,
    "index": _index,
    "slice": _slice,
    "key_val_pair": lambda node: compile_node(node["children"][0]),
    "literal": _literal,
    "multi_select_dict": _multi_select_dict,
    "multi_select_list": _multi_select_list,
    "or_expression": _or,
    "and_expression": _and,
    "not_expression": _not,
    "projection": _projection,
    "value_projection": _value_projection,
}
