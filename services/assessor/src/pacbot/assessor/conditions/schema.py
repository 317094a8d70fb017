"""The condition grammar as JSON Schema, generated from the operators, value types and checks."""

from __future__ import annotations

from typing import Any

from pacbot.assessor.conditions.operators import ALIASES, OPERATORS
from pacbot.assessor.conditions.registry import CHECKS, CheckRegistry
from pacbot.assessor.conditions.value_types import VALUE_TYPES

_REF = "#/$defs/"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF + name}


def _param_or(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, _ref("ParamRef")]}


def _check_schema(name: str, args: dict[str, Any] | None, description: str) -> dict[str, Any]:
    properties: dict[str, Any] = {"check": {"const": name}}
    required = ["check"]
    if args is None:
        return {
            "type": "object",
            "description": description,
            "properties": properties,
            "required": required,
            "additionalProperties": True,
        }
    for field, spec in args.get("properties", {}).items():
        properties[field] = _param_or(spec)
    required += args.get("required", [])
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def condition_json_schema(checks: CheckRegistry = CHECKS) -> dict[str, Any]:
    """``$defs`` for ``Condition`` and every form it takes; ``Condition`` is the entry point."""
    ops = [*OPERATORS, *ALIASES]
    op_help = "; ".join(f"{op.name}: {op.description}" for op in OPERATORS.values())
    vt_help = "; ".join(f"{vt.name}: {vt.description}" for vt in VALUE_TYPES.values())
    defs: dict[str, Any] = {
        "ParamRef": {
            "type": "object",
            "description": "The value of the policy parameter called `param`.",
            "properties": {"param": {"type": "string"}},
            "required": ["param"],
            "additionalProperties": False,
        },
        "ValueCondition": {
            "type": "object",
            "description": "Compare the value at `key` (a JMESPath, or `tag:Name`) with `value`.",
            "properties": {
                "key": {"type": "string", "minLength": 1},
                "op": {"enum": ops, "description": op_help},
                "value": {"description": "The operand; absent for unary operators."},
                "value_type": {"enum": list(VALUE_TYPES), "description": vt_help},
                "value_regex": {
                    "type": "string",
                    "description": (
                        "A regular expression with one capture group, matched at the start of "
                        "the key's value; the captured text is what is compared (no match: "
                        "the key counts as missing)."
                    ),
                },
            },
            "required": ["key", "op"],
            "additionalProperties": False,
        },
        "NotCondition": {
            "type": "object",
            "description": "Holds when the inner condition does not.",
            "properties": {"not": _ref("Condition")},
            "required": ["not"],
            "additionalProperties": False,
        },
    }
    for form, meaning in (("and", "every"), ("or", "at least one")):
        defs[f"{form.capitalize()}Condition"] = {
            "type": "object",
            "description": f"Holds when {meaning} condition in the list holds.",
            "properties": {form: {"type": "array", "minItems": 1, "items": _ref("Condition")}},
            "required": [form],
            "additionalProperties": False,
        }
    check_refs = []
    for spec in checks.specs():
        args = spec.args.model_json_schema() if spec.args is not None else None
        if args is not None:
            for nested, body in args.pop("$defs", {}).items():
                defs[nested] = body
        title = "Check_" + spec.name.replace("-", "_")
        defs[title] = _check_schema(spec.name, args, spec.description)
        check_refs.append(_ref(title))
    defs["Condition"] = {
        "description": "What a compliant resource looks like: true means pass.",
        "oneOf": [
            _ref("ValueCondition"),
            _ref("AndCondition"),
            _ref("OrCondition"),
            _ref("NotCondition"),
            *check_refs,
        ],
    }
    return defs
