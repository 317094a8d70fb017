"""Policies may only map to frameworks and controls the catalogue knows.

A policy whose ``frameworks:`` names an unknown framework or control is rejected like any other
bad policy file: it becomes a load error (file, line, path) and the rest of the pack still loads.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pacbot.assessor.conditions import CHECKS, CheckRegistry, format_path
from pacbot.assessor.policies.compiled import CompiledPolicy
from pacbot.assessor.policies.loader import LoadReport, PolicyError, load_policies
from pacbot.assessor.policies.source import line_of, parse_with_lines
from pacbot.common.frameworks import Catalogue, MappingProblem


def load_pack(
    paths: Sequence[str | Path], catalogue: Catalogue, checks: CheckRegistry = CHECKS
) -> LoadReport:
    """``load_policies``, then every policy mapping to an unknown framework or control refused."""
    report = load_policies(paths, checks)
    kept: list[CompiledPolicy] = []
    for policy in report.policies:
        problems = catalogue.mapping_problems(policy.document.frameworks)
        if problems:
            report.errors.append(_located(policy, paths, problems[0]))
        else:
            kept.append(policy)
    report.policies = kept
    return report


def _located(
    policy: CompiledPolicy, paths: Sequence[str | Path], problem: MappingProblem
) -> PolicyError:
    line = 1
    file = _file_of(policy.source, paths)
    if file is not None:
        _, lines = parse_with_lines(file.read_text(encoding="utf-8"))
        line = line_of(lines, problem.path)
    return PolicyError(policy.source, line, format_path(problem.path), problem.message)


def _file_of(source: str, paths: Sequence[str | Path]) -> Path | None:
    """The file a loaded policy came from (``source`` is relative to its pack directory)."""
    for root in map(Path, paths):
        if root.is_file() and root.name == source:
            return root
        if root.is_dir() and (root / source).is_file():
            return root / source
    return None
