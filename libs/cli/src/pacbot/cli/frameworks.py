"""`pacbot frameworks`: the known frameworks and how much of each the policy pack covers.

Coverage is the share of a framework's automated controls that at least one loaded policy
maps to; manual controls are counted apart (a policy can help there, never settle them).
"""

from __future__ import annotations

import json
from typing import Any

from pacbot.assessor.frameworks.mappings import load_pack
from pacbot.assessor.frameworks.schemas import framework_out
from pacbot.assessor.frameworks.service import FrameworkCoverage, coverage
from pacbot.assessor.settings import SHIPPED_PACKS
from pacbot.common.frameworks import shipped_catalogue


def frameworks_coverage(
    paths: list[str] | None = None,
) -> tuple[list[FrameworkCoverage], list[str]]:
    """Each known framework laid over the pack at ``paths`` (default: the shipped pack), and the
    pack's load errors (a mapping to an unknown control is one)."""
    catalogue = shipped_catalogue()
    report = load_pack(paths or [SHIPPED_PACKS], catalogue)
    rows = [coverage(framework, report.policies) for framework in catalogue.frameworks]
    return rows, [str(error) for error in report.errors]


def as_json(covered: FrameworkCoverage) -> dict[str, Any]:
    """The assessor's ``GET /frameworks`` item, plus the automated controls nothing maps to."""
    return {
        **framework_out(covered).model_dump(),
        "unmapped_automated": [
            c.control.id for c in covered.controls if c.control.automated and not c.policies
        ],
    }


def _percent(part: int, whole: int) -> str:
    return f"{part / whole * 100:.0f}%" if whole else "-"


def list_frameworks(paths: list[str] | None, output: str) -> int:
    """Print the frameworks with their coverage; exit 1 when a policy file failed to load."""
    rows, errors = frameworks_coverage(paths)
    if output == "json":
        print(json.dumps([as_json(row) for row in rows], indent=2))
    else:
        print(
            f"{len(rows)} framework(s); coverage = automated controls mapped / automated controls"
        )
        print(
            f"{'framework':<24} {'version':<9} {'controls':>8} {'manual':>6} "
            f"{'coverage':>16} {'policies':>8}  name"
        )
        for row in rows:
            out = framework_out(row)
            mapped, automated = out.mapped_automated, out.automated
            share = f"{mapped}/{automated} ({_percent(mapped, automated)})"
            print(
                f"{out.framework_id:<24} {out.version:<9} {out.controls:>8} {out.manual:>6} "
                f"{share:>16} {out.policies:>8}  {out.name}"
            )
    for error in errors:
        print(f"error: {error}")
    return 1 if errors else 0
