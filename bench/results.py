"""Benchmark results as JSON under ``bench/results/``, and the one table ``make bench`` prints.

Every benchmark ends with ``record(bench, figures, details)``: one file per benchmark,
``bench/results/<bench>.json``, holding its figures (each with its target, when it has one) and
whatever else it measured. ``python -m bench.report`` reads them all and prints one table with
each target beside its figure.
"""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

RESULTS = Path(os.environ.get("BENCH_RESULTS_DIR", Path(__file__).parent / "results"))


@dataclass(frozen=True)
class Figure:
    """One measured number; ``target`` is met when the figure is at most (``lower``) or at
    least (``higher``) it. A figure without a target is reported for information."""

    name: str
    value: float
    unit: str
    target: float | None = None
    better: Literal["lower", "higher"] = "lower"
    note: str = ""

    @property
    def met(self) -> bool | None:
        """Whether the target is met; ``None`` when there is no target."""
        if self.target is None:
            return None
        return self.value <= self.target if self.better == "lower" else self.value >= self.target


def record(bench: str, figures: list[Figure], details: dict[str, Any] | None = None) -> Path:
    """Write ``bench/results/<bench>.json`` and return its path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{bench}.json"
    body = {
        "bench": bench,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "figures": [{**asdict(f), "met": f.met} for f in figures],
        "details": details or {},
    }
    path.write_text(json.dumps(body, indent=2, default=str) + "\n")
    return path


def load() -> list[dict[str, Any]]:
    """Every result file, in name order."""
    if not RESULTS.is_dir():
        return []
    return [json.loads(p.read_text()) for p in sorted(RESULTS.glob("*.json"))]


def _number(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


def table(results: list[dict[str, Any]]) -> str:
    """One line per figure: benchmark, figure, value, target and whether it is met."""
    rows = [("benchmark", "figure", "measured", "target", "met")]
    for result in results:
        for f in result["figures"]:
            unit = f" {f['unit']}" if f["unit"] else ""
            target = "-"
            if f["target"] is not None:
                sign = "<=" if f["better"] == "lower" else ">="
                target = f"{sign} {_number(f['target'])}{unit}"
            met = {True: "yes", False: "NO", None: ""}[f["met"]]
            rows.append((result["bench"], f["name"], f"{_number(f['value'])}{unit}", target, met))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
