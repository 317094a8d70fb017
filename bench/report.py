"""Print the table of every benchmark result under ``bench/results/`` (see ``bench.results``)."""

from __future__ import annotations

import sys

from bench.results import RESULTS, load, table


def main() -> int:
    """Print the table; exit 1 when there is no result to print."""
    results = load()
    if not results:
        print(f"no benchmark results under {RESULTS}", file=sys.stderr)
        return 1
    print(table(results))
    missed = [
        f"{r['bench']}: {f['name']}" for r in results for f in r["figures"] if f["met"] is False
    ]
    if missed:
        print(f"\n{len(missed)} target(s) missed: " + "; ".join(missed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
