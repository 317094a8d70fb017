"""`pacbot policy lint|test`: load policy YAML as the assessor does; run each one's examples."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from pacbot.assessor.policies.compiled import CompiledPolicy
from pacbot.assessor.policies.loader import LoadReport, PolicyError, load_policies


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


def lint(paths: Sequence[str]) -> int:
    """Print every load error as ``file:line: path: message``; 1 when there is any."""
    report = load_paths(paths)
    for error in report.errors:
        print(str(error))
    n, m = len(report.policies), len(report.errors)
    print(f"{n} {'policy' if n == 1 else 'policies'} OK, {m} {'error' if m == 1 else 'errors'}")
    return 1 if report.errors else 0


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
