"""Loads policy packs; a bad file becomes a located error and never stops the good ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from pacbot.assessor.conditions import CHECKS, CheckRegistry, ConditionError, compile_condition
from pacbot.assessor.conditions import format_path as _format_path
from pacbot.assessor.policies.compiled import CompiledPolicy
from pacbot.assessor.policies.model import PolicyDocument
from pacbot.assessor.policies.source import Path as DocPath
from pacbot.assessor.policies.source import line_of, parse_with_lines

_SUFFIXES = (".yaml", ".yml")
Lines = dict[DocPath, int]


@dataclass(frozen=True)
class PolicyError:
    """Why a policy file was rejected: file, line, path in the document, what was expected.

    The loader only rejects (``error``); lint also reports ``warning``s, which load fine.
    """

    file: str
    line: int
    path: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.path}: {self.message}"

    def described(self) -> str:
        """``file:line: path: severity: message``, the form lint prints."""
        return f"{self.file}:{self.line}: {self.path}: {self.severity}: {self.message}"


@dataclass
class LoadReport:
    """The policies that loaded and the errors of those that did not."""

    policies: list[CompiledPolicy] = field(default_factory=list)
    errors: list[PolicyError] = field(default_factory=list)


def load_policies(paths: Sequence[str | Path], checks: CheckRegistry = CHECKS) -> LoadReport:
    """Load every ``*.yaml`` under ``paths`` (directories recursively); ids must be unique."""
    report = LoadReport()
    seen: dict[str, str] = {}
    for root in map(Path, paths):
        for file, display in _policy_files(root, report):
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                why = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else exc.strerror
                report.errors.append(PolicyError(display, 1, "<root>", f"cannot read: {why}"))
                continue
            loaded = load_text(text, display, checks)
            if isinstance(loaded, PolicyError):
                report.errors.append(loaded)
            elif loaded.id in seen:
                first = seen[loaded.id]
                message = f"duplicate policy id {loaded.id!r}; first defined in {first}"
                report.errors.append(PolicyError(display, 1, "id", message))
            else:
                seen[loaded.id] = display
                report.policies.append(loaded)
    return report


def _policy_files(root: Path, report: LoadReport) -> list[tuple[Path, str]]:
    if root.is_file():
        return [(root, root.name)]
    if root.is_dir():
        return [(p, p.relative_to(root).as_posix()) for p in policy_files(root)]
    report.errors.append(PolicyError(str(root), 0, "<root>", "no such file or directory"))
    return []


def policy_files(root: Path) -> list[Path]:
    """The policy files at ``root``: the file itself, or every ``*.yaml``/``*.yml`` under it."""
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.suffix in _SUFFIXES and p.is_file())


def load_text(
    text: str, display: str, checks: CheckRegistry = CHECKS
) -> CompiledPolicy | PolicyError:
    """Parse, validate and compile one policy document named ``display`` in messages."""
    try:
        return _load(text, display, checks)
    except RecursionError:
        return PolicyError(display, 1, "<root>", "the document is nested too deeply")


def parse_document(text: str, display: str) -> tuple[dict[Any, Any], Lines] | PolicyError:
    """The YAML mapping of one policy file with the line of each path in it, or why not."""
    try:
        raw, lines = parse_with_lines(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        return PolicyError(display, line, "<root>", f"invalid YAML: {problem}")
    if not isinstance(raw, dict):
        return PolicyError(display, 1, "<root>", "expected a mapping (a policy document)")
    return raw, lines


def _load(text: str, display: str, checks: CheckRegistry) -> CompiledPolicy | PolicyError:
    parsed = parse_document(text, display)
    if isinstance(parsed, PolicyError):
        return parsed
    raw, lines = parsed
    try:
        document = PolicyDocument.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        return PolicyError(display, line_of(lines, loc), _format_path(loc), explain(first))
    try:
        condition = compile_condition(
            document.condition, ("condition",), document.param_defaults(), checks
        )
    except ConditionError as exc:
        return PolicyError(display, line_of(lines, exc.path), _format_path(exc.path), exc.message)
    return CompiledPolicy(document=document, condition=condition, source=display)


def explain(error: Any) -> str:
    """A pydantic error of a policy document in the loader's words."""
    details = error if isinstance(error, dict) else {}
    kind = details.get("type", "")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    return str(details.get("msg", "invalid value"))
