"""Reads framework files and checks what the schema alone cannot (references, uniqueness).

Every error names the file, the line and the path inside it
(``cis-aws-3.0.yaml:42: controls[3].section: no section '7'``), as policy errors do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from pacbot.common.frameworks._model import Framework

SHIPPED = Path(__file__).parent
SCHEMA_FILE = SHIPPED / "framework-schema.json"
"""The JSON Schema of framework files, generated from ``Framework`` (a test keeps it current)."""
Location = tuple[str | int, ...]


def format_path(path: Location) -> str:
    """``("controls", 3, "id")`` as ``controls[3].id``; the empty path is ``<root>``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "<root>"


class FrameworkError(ValueError):
    """A framework file that cannot be used: which file, which line, where in it, and why."""

    def __init__(self, file: str, path: Location, message: str, line: int = 1) -> None:
        self.file = file
        self.line = line
        self.path = format_path(path)
        self.message = message
        super().__init__(f"{file}:{line}: {self.path}: {message}")


class _Invalid(Exception):
    """A problem found in a parsed document, before its line is known."""

    def __init__(self, path: Location, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


@dataclass(frozen=True)
class MappingProblem:
    """A policy's ``frameworks:`` entry that names no known framework or control."""

    path: Location
    message: str


class Catalogue:
    """The frameworks PacBot knows, by id."""

    def __init__(self, frameworks: Iterable[Framework]) -> None:
        self._by_id = {f.id: f for f in sorted(frameworks, key=lambda f: f.id)}

    @property
    def frameworks(self) -> list[Framework]:
        """Every framework, by id."""
        return list(self._by_id.values())

    def get(self, framework_id: str) -> Framework | None:
        """The framework with this id, if known."""
        return self._by_id.get(framework_id)

    def mapping_problems(self, mapping: Mapping[str, Sequence[str]]) -> list[MappingProblem]:
        """What in a policy's ``frameworks:`` names no known framework or control."""
        problems: list[MappingProblem] = []
        for framework_id, control_ids in mapping.items():
            framework = self.get(framework_id)
            if framework is None:
                known = ", ".join(self._by_id) or "none"
                problems.append(
                    MappingProblem(
                        ("frameworks", framework_id),
                        f"unknown framework {framework_id!r} (known: {known})",
                    )
                )
                continue
            for index, control_id in enumerate(control_ids):
                if framework.control(control_id) is None:
                    problems.append(
                        MappingProblem(
                            ("frameworks", framework_id, index),
                            f"{control_id!r} is not a control of {framework_id} "
                            f"({framework.name} {framework.version})",
                        )
                    )
        return problems


def load_framework(path: Path) -> Framework:
    """One framework file, validated against the framework schema; its name must be
    ``<id>.yaml``."""
    file = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FrameworkError(file, (), f"cannot be read: {exc.strerror or exc}") from exc
    root, raw = _parse(file, text)
    try:
        return _validated(path, raw)
    except _Invalid as problem:
        line = line_at(root, problem.path)
        raise FrameworkError(file, problem.path, problem.message, line) from problem


def _parse(file: str, text: str) -> tuple[yaml.Node | None, Any]:
    """The document's node tree (for lines) and its data."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        return root, loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise FrameworkError(file, (), f"invalid YAML: {problem}", line) from exc
    finally:
        loader.dispose()


def _validated(path: Path, raw: Any) -> Framework:
    if not isinstance(raw, dict):
        raise _Invalid((), "expected a mapping (a framework document)")
    try:
        framework = Framework.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise _Invalid(tuple(first["loc"]), _explain(first)) from exc
    _check_references(framework)
    if path.stem != framework.id:
        raise _Invalid(("id",), f"{framework.id!r} must match the file name {path.name!r}")
    return framework


def line_at(root: yaml.Node | None, path: Location) -> int:
    """The 1-based line of ``path`` in the document, or of the nearest part of it that exists
    (a missing field is reported where its parent starts)."""
    if root is None:
        return 1
    node, line = root, root.start_mark.line + 1
    for part in path:
        step = _step(node, part)
        if step is None:
            break
        node, line = step
    return line


def _step(node: yaml.Node, part: str | int) -> tuple[yaml.Node, int] | None:
    """The child of ``node`` at ``part`` and the line that names it (a key's, or an item's)."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == part:
                return value, key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        item = node.value[part]
        return item, item.start_mark.line + 1
    return None


def _explain(error: Mapping[str, object]) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "string_type":
        return f'expected text, got {error.get("input")!r} (quote ids such as "1.10")'
    return str(error.get("msg", "invalid value"))


def _check_references(framework: Framework) -> None:
    sections: set[str] = set()
    for index, section in enumerate(framework.sections):
        if section.id in sections:
            raise _Invalid(("sections", index, "id"), f"duplicate {section.id!r}")
        if section.parent is not None and section.parent not in sections:
            raise _Invalid(
                ("sections", index, "parent"),
                f"{section.parent!r} is not a section declared before {section.id!r}",
            )
        sections.add(section.id)
    controls: set[str] = set()
    for index, control in enumerate(framework.controls):
        if control.id in controls:
            raise _Invalid(("controls", index, "id"), f"duplicate {control.id!r}")
        if control.section not in sections:
            raise _Invalid(("controls", index, "section"), f"no section {control.section!r}")
        controls.add(control.id)


def load_catalogue(folders: Sequence[Path] = (SHIPPED,)) -> Catalogue:
    """Every ``*.yaml`` framework in ``folders``; a bad file or a repeated id is an error."""
    seen: dict[str, str] = {}
    frameworks = []
    for folder in folders:
        for path in sorted(folder.glob("*.yaml")):
            framework = load_framework(path)
            if framework.id in seen:
                root, _ = _parse(path.name, path.read_text(encoding="utf-8"))
                message = f"{framework.id!r} is also {seen[framework.id]}"
                raise FrameworkError(path.name, ("id",), message, line_at(root, ("id",)))
            seen[framework.id] = path.name
            frameworks.append(framework)
    return Catalogue(frameworks)


@cache
def shipped_catalogue() -> Catalogue:
    """The frameworks that ship with PacBot (read once per process, on first use)."""
    return load_catalogue()
