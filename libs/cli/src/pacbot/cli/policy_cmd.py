"""`pacbot policy lint|test`: every mistake of policy YAML in one pass; run each one's examples."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path

from pacbot.assessor.policies.compiled import CompiledPolicy
from pacbot.assessor.policies.lint import KeyCheck, LintResult, lint_text
from pacbot.assessor.policies.loader import LoadReport, PolicyError, load_policies, policy_files
from pacbot.cli.reads import key_roots
from pacbot.inventory.connectors import CONNECTORS, ConnectorRegistry, documented_attributes

_SHOWN = 12
"""How many of a type's known attributes an unknown-key warning lists."""


def load_paths(paths: Sequence[str | Path]) -> LoadReport:
    """Load every path as the assessor would, naming files as the person typed them.

    The loader names a file inside a directory relative to that directory; here each name is
    joined back onto the directory given, so ``file:line`` can be opened from the shell. Ids
    must be unique across all the paths, as they are across the assessor's policy paths.
    """
    combined = LoadReport()
    seen: dict[str, str] = {}
    for root in map(Path, paths):
        report = load_policies([root])
        combined.errors.extend(replace(e, file=_shown(root, e.file)) for e in report.errors)
        for policy in report.policies:
            source = _shown(root, policy.source)
            if policy.id in seen:
                message = f"duplicate policy id {policy.id!r}; first defined in {seen[policy.id]}"
                combined.errors.append(PolicyError(source, 1, "id", message))
                continue
            seen[policy.id] = source
            combined.policies.append(replace(policy, source=source))
    return combined


def _shown(root: Path, display: str) -> str:
    if root.is_dir():
        return (root / display).as_posix()
    return root.as_posix() if root.exists() else display


def lint(paths: Sequence[str], output: str = "text") -> int:
    """Every mistake of every policy file, sorted by file and line; 1 on any error.

    Warnings alone exit 0; a path that does not exist is a usage error (2) and nothing is
    linted. ``output`` is ``text`` (``file:line: path: severity: message`` lines and a
    summary) or ``json`` (the same content as one document).
    """
    missing = [p for p in paths if not Path(p).exists()]
    for path in missing:
        print(f"pacbot policy lint: {path}: no such file or directory", file=sys.stderr)
    if missing:
        return 2
    results = lint_paths(paths, config_key_check(CONNECTORS))
    problems = sorted(
        (p for r in results for p in r.problems), key=lambda p: (p.file, p.line, p.path)
    )
    ok = sum(1 for r in results if not r.errors)
    errors = sum(r.errors for r in results)
    warnings = len(problems) - errors
    if output == "json":
        summary = {"files": len(results), "ok": ok, "errors": errors, "warnings": warnings}
        document = {"problems": [asdict(p) for p in problems], "summary": summary}
        print(json.dumps(document, indent=2))
    else:
        for problem in problems:
            print(problem.described())
        print(
            f"{_count(ok, 'policy', 'policies')} OK, {_count(errors, 'error')}, "
            f"{_count(warnings, 'warning')}"
        )
    return 1 if errors else 0


def lint_paths(paths: Sequence[str | Path], key_check: KeyCheck | None) -> list[LintResult]:
    """Lint every policy file under ``paths``; a policy id used twice is an error."""
    results: list[LintResult] = []
    first: dict[str, str] = {}
    for file in (f for root in map(Path, paths) for f in policy_files(root)):
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            results.append(LintResult(file.as_posix(), [_unreadable(file, exc)]))
            continue
        result = lint_text(text, file.as_posix(), key_check=key_check)
        results.append(result)
        if result.policy_id is None:
            continue
        if result.policy_id in first:
            message = f"duplicate policy id {result.policy_id!r}; first defined in "
            message += first[result.policy_id]
            result.problems.append(PolicyError(result.file, result.id_line, "id", message))
        else:
            first[result.policy_id] = result.file
    return results


def config_key_check(registry: ConnectorRegistry) -> KeyCheck:
    """Warns of a condition key whose top-level attributes a resource's config does not have,
    against the config shape each connector documents (``documented_attributes``); a type
    without a connector (a policy for a type nobody discovers) is reported elsewhere and
    passes here.
    """
    shapes = {
        cls.meta.resource_type: known
        for cls in registry
        if (known := documented_attributes(cls)) is not None
    }

    def check(resource: str, key: str) -> str | None:
        known = shapes.get(resource)
        if known is None:
            return None
        roots = key_roots(key)  # None: the key reads the whole config (``@``)
        unknown = sorted(roots - known) if roots else []
        if not unknown:
            return None
        names = ", ".join(map(repr, unknown))
        shown = sorted(known)
        listed = ", ".join(shown[:_SHOWN])
        if len(shown) > _SHOWN:
            listed += f", ... ({len(shown) - _SHOWN} more)"
        return f"{names} not in the documented config of {resource}; known: {listed}"

    return check


def _unreadable(file: Path, exc: UnicodeDecodeError) -> PolicyError:
    return PolicyError(file.as_posix(), 1, "<root>", f"not UTF-8 text: {exc.reason}")


def _count(n: int, singular: str, plural: str = "") -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def run_examples(policy: CompiledPolicy) -> tuple[int, list[str]]:
    """How many examples the policy carries and the mismatches among them."""
    examples = policy.document.examples
    return len(examples.passing) + len(examples.failing), policy.example_mismatches()


def check_examples(paths: Sequence[str]) -> int:
    """Run every policy's own examples; a policy that does not load counts as one failure."""
    report = load_paths(paths)
    passed = failed = 0
    for error in report.errors:
        print(f"FAIL {error}")
        failed += 1
    for policy in report.policies:
        total, mismatches = run_examples(policy)
        for mismatch in mismatches:
            print(f"FAIL {policy.source}: {mismatch}")
        failed += len(mismatches)
        passed += total - len(mismatches)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0
