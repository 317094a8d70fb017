"""Every mistake of one policy document in a single pass: the thorough diagnostic of lint.

The loader stops at a file's first error, because all it needs is to reject the file. Lint
keeps going: every validation error of the document, every problem of the condition, params
declared but never used, condition keys a resource's config does not have (through a
``KeyCheck`` the caller supplies, since the assessor does not know the inventory's shapes),
and examples whose verdict disagrees with their label. Each carries its line and a severity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from pacbot.assessor.conditions import CHECKS, CheckRegistry, Condition, Outcome, format_path
from pacbot.assessor.conditions.compiler import ConditionReport, diagnose_condition
from pacbot.assessor.policies.loader import Lines, PolicyError, explain, parse_document
from pacbot.assessor.policies.model import Examples, PolicyDocument
from pacbot.assessor.policies.source import Path, line_of

KeyCheck = Callable[[str, str], str | None]
"""``(resource type, condition key) -> warning``: why the key is not in that type's config."""

_LABELS: tuple[tuple[Literal["pass", "fail"], str], ...] = (
    ("pass", "passing"),
    ("fail", "failing"),
)


@dataclass
class LintResult:
    """What lint found in one file; ``policy_id`` is the id it declares (at ``id_line``)."""

    file: str
    problems: list[PolicyError] = field(default_factory=list)
    policy_id: str | None = None
    id_line: int = 1

    @property
    def errors(self) -> int:
        """How many problems are errors (the rest are warnings)."""
        return sum(1 for p in self.problems if p.severity == "error")


def lint_text(
    text: str, display: str, checks: CheckRegistry = CHECKS, key_check: KeyCheck | None = None
) -> LintResult:
    """Every problem of the policy document ``text``, named ``display``, sorted by line."""
    result = LintResult(display)
    try:
        _lint(text, result, checks, key_check)
    except RecursionError:
        result.problems = [PolicyError(display, 1, "<root>", "the document is nested too deeply")]
    result.problems.sort(key=lambda p: (p.line, p.path, p.message))
    return result


def _lint(text: str, result: LintResult, checks: CheckRegistry, key_check: KeyCheck | None) -> None:
    parsed = parse_document(text, result.file)
    if isinstance(parsed, PolicyError):
        result.problems.append(parsed)
        return
    raw, lines = parsed
    policy_id = raw.get("id")
    result.policy_id = policy_id if isinstance(policy_id, str) else None
    result.id_line = line_of(lines, ("id",))
    note = _Notes(result, lines)
    try:
        PolicyDocument.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            note.error(tuple(error["loc"]), explain(error))
    condition = raw.get("condition")
    if not isinstance(condition, dict):  # missing or not a mapping: validation said so
        return
    defaults, unresolved = _param_defaults(raw.get("params"))
    report = diagnose_condition(condition, ("condition",), defaults, checks, unresolved)
    for problem in report.problems:
        note.error(problem.path, problem.message)
    _unused_params(raw, report, note)
    resource = raw.get("resource")
    if key_check is not None and isinstance(resource, str):
        for path, key in report.keys:
            warning = key_check(resource, key)
            if warning:
                note.warning(path, warning)
    if report.condition is not None and not unresolved:
        _examples(raw.get("examples"), report, defaults, note)


class _Notes:
    """Adds located problems of one file to its result."""

    def __init__(self, result: LintResult, lines: Lines) -> None:
        self.result = result
        self.lines = lines

    def add(self, path: Path, message: str, severity: Literal["error", "warning"]) -> None:
        line = line_of(self.lines, path)
        where = format_path(path)
        self.result.problems.append(PolicyError(self.result.file, line, where, message, severity))

    def error(self, path: Path, message: str) -> None:
        self.add(path, message, "error")

    def warning(self, path: Path, message: str) -> None:
        self.add(path, message, "warning")


def _param_defaults(params: Any) -> tuple[dict[str, Any], set[str]]:
    """Each declared param's default, and the names declared without a usable one."""
    defaults: dict[str, Any] = {}
    unresolved: set[str] = set()
    if not isinstance(params, dict):
        return defaults, unresolved
    for name, spec in params.items():
        if not isinstance(name, str):
            continue
        if isinstance(spec, dict) and "default" in spec:
            defaults[name] = spec["default"]
        else:
            unresolved.add(name)
    return defaults, unresolved


def _unused_params(raw: dict[Any, Any], report: ConditionReport, note: _Notes) -> None:
    params = raw.get("params")
    if not isinstance(params, dict):
        return
    # a reference in a part of the condition too broken to compile still counts as a use
    referenced = report.params_used | set(_param_names(raw.get("condition")))
    for name in params:
        if isinstance(name, str) and name not in referenced:
            note.warning(("params", name), f"param {name!r} is declared but never used")


def _param_names(node: Any) -> Iterator[str]:
    """Every ``{param: name}`` anywhere under ``node``."""
    if isinstance(node, dict):
        if isinstance(node.get("param"), str):
            yield node["param"]
        for child in node.values():
            yield from _param_names(child)
    elif isinstance(node, list):
        for child in node:
            yield from _param_names(child)


def _examples(raw: Any, report: ConditionReport, defaults: Mapping[str, Any], note: _Notes) -> None:
    try:
        examples = Examples.model_validate({} if raw is None else raw)
    except ValidationError:  # validation of the document reported it
        return
    assert report.condition is not None
    for label, attribute in _LABELS:
        for i, config in enumerate(getattr(examples, attribute)):
            outcome = _judge(report.condition, defaults, config)
            if outcome.status != label:
                note.error(
                    ("examples", label, i),
                    f"example expected {label}, got {outcome.status}: {outcome.reason}",
                )


def _judge(condition: Condition, defaults: Mapping[str, Any], config: Any) -> Outcome:
    """The verdict on one example; as in the assessor, a policy bug is an error result."""
    try:
        return condition.evaluate(config, defaults)
    except Exception as exc:
        return Outcome("error", f"evaluation raised {exc!r}")
