"""The policy condition language: value checks, and/or/not, and registered Python checks."""

from pacbot.assessor.conditions import builtin as _builtin  # noqa: F401  (registers checks)
from pacbot.assessor.conditions import sg_rules as _sg_rules  # noqa: F401  (registers checks)
from pacbot.assessor.conditions import statements as _statements  # noqa: F401  (registers checks)
from pacbot.assessor.conditions.compiler import compile_condition
from pacbot.assessor.conditions.nodes import Condition, Evaluator
from pacbot.assessor.conditions.operators import OPERATORS
from pacbot.assessor.conditions.outcome import ConditionError, Outcome, Status, format_path
from pacbot.assessor.conditions.registry import CHECKS, CheckRegistry

__all__ = [
    "CHECKS",
    "OPERATORS",
    "CheckRegistry",
    "Condition",
    "ConditionError",
    "Evaluator",
    "Outcome",
    "Status",
    "compile_condition",
    "format_path",
]
