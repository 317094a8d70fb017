"""Reads framework files and checks what a pydantic model alone cannot (references, uniqueness).

Every error names the file and the path inside it (``cis-aws-3.0.yaml: controls[3].section``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from pacbot.common.frameworks._model import Framework

SHIPPED = Path(__file__).parent
Location = tuple[str | int, ...]


def format_path(path: Location) -> str:
    """``("controls", 3, "id")`` as ``controls[3].id``; the empty path is ``<root>``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "<root>"


class FrameworkError(ValueError):
    """A framework file that cannot be used: which file, where in it, and why."""

    def __init__(self, file: str, path: Location, message: str) -> None:
        self.file = file
        self.path = format_path(path)
        self.message = message
        super().__init__(f"{file}: {self.path}: {message}")


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
    """One framework file, validated; its name must be ``<id>.yaml``."""
    file = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise FrameworkError(file, (), f"invalid YAML: {exc}") from exc
    except OSError as exc:
        raise FrameworkError(file, (), f"cannot be read: {exc.strerror or exc}") from exc
    if not isinstance(raw, dict):
        raise FrameworkError(file, (), "expected a mapping (a framework document)")
    try:
        framework = Framework.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise FrameworkError(file, tuple(first["loc"]), _explain(first)) from exc
    _check_references(file, framework)
    if path.stem != framework.id:
        raise FrameworkError(file, ("id",), f"{framework.id!r} must match the file name {file!r}")
    return framework


def _explain(error: Mapping[str, object]) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "string_type":
        return f'expected text, got {error.get("input")!r} (quote ids such as "1.10")'
    return str(error.get("msg", "invalid value"))


def _check_references(file: str, framework: Framework) -> None:
    sections: set[str] = set()
    for index, section in enumerate(framework.sections):
        if section.id in sections:
            raise FrameworkError(file, ("sections", index, "id"), f"duplicate {section.id!r}")
        if section.parent is not None and section.parent not in sections:
            raise FrameworkError(
                file,
                ("sections", index, "parent"),
                f"{section.parent!r} is not a section declared before {section.id!r}",
            )
        sections.add(section.id)
    controls: set[str] = set()
    for index, control in enumerate(framework.controls):
        if control.id in controls:
            raise FrameworkError(file, ("controls", index, "id"), f"duplicate {control.id!r}")
        if control.section not in sections:
            raise FrameworkError(
                file, ("controls", index, "section"), f"no section {control.section!r}"
            )
        controls.add(control.id)


def load_catalogue(folders: Sequence[Path] = (SHIPPED,)) -> Catalogue:
    """Every ``*.yaml`` framework in ``folders``; a bad file or a repeated id is an error."""
    seen: dict[str, str] = {}
    frameworks = []
    for folder in folders:
        for path in sorted(folder.glob("*.yaml")):
            framework = load_framework(path)
            if framework.id in seen:
                raise FrameworkError(
                    path.name, ("id",), f"{framework.id!r} is also {seen[framework.id]}"
                )
            seen[framework.id] = path.name
            frameworks.append(framework)
    return Catalogue(frameworks)


@cache
def shipped_catalogue() -> Catalogue:
    """The frameworks that ship with PacBot (read once per process, on first use)."""
    return load_catalogue()
