"""`pacbot frameworks`: the known frameworks and how much of each the policy pack covers.

Coverage is the share of a framework's automated controls that at least one loaded policy
maps to; manual controls are counted apart (a policy can help there, never settle them), and
``mapped`` counts every control, automated or manual, that some policy maps to.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from pacbot.assessor.frameworks.mappings import load_pack
from pacbot.assessor.frameworks.schemas import framework_out
from pacbot.assessor.frameworks.service import FrameworkCoverage, coverage
from pacbot.assessor.settings import SHIPPED_PACKS
from pacbot.common.frameworks import FrameworkOut, shipped_catalogue


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
    """Print the frameworks with their coverage (load errors go to stderr, so the JSON stays
    parseable); exit 1 when a policy file failed to load."""
    rows, errors = frameworks_coverage(paths)
    if output == "json":
        print(json.dumps([as_json(row) for row in rows], indent=2))
    else:
        print(_table([framework_out(row) for row in rows]))
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    return 1 if errors else 0


def _table(rows: list[FrameworkOut]) -> str:
    header = (
        "framework",
        "version",
        "controls",
        "manual",
        "mapped",
        "coverage",
        "policies",
        "name",
    )
    lines = [
        (
            out.framework_id,
            out.version,
            str(out.controls),
            str(out.manual),
            str(out.mapped_controls),
            f"{out.mapped_automated}/{out.automated} "
            f"({_percent(out.mapped_automated, out.automated)})",
            str(out.policies),
            out.name,
        )
        for out in rows
    ]
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header) - 1)]
    left = {0, 1}  # ids and versions read left to right; counts line up on the right

    def render(cells: tuple[str, ...]) -> str:
        padded = [
            cell.ljust(width) if i in left else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=False))
        ]
        return "  ".join([*padded, cells[-1]])

    title = (
        f"{len(rows)} framework(s); mapped = controls any policy maps to; "
        "coverage = automated controls mapped / automated controls"
    )
    return "\n".join([title, render(header), *map(render, lines)])
