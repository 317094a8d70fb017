"""`pacbot policies list`: the policy pack with its metadata, as a table or JSON."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from pacbot.assessor.policies.loader import load_policies
from pacbot.assessor.settings import SHIPPED_PACKS


def catalogue(paths: list[str] | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """Every policy that loads from ``paths`` (default: the shipped pack), and the load errors."""
    report = load_policies(paths or [SHIPPED_PACKS])
    rows = []
    for policy in sorted(report.policies, key=lambda p: p.id):
        doc = policy.document
        rows.append(
            {
                "id": doc.id,
                "version": doc.version,
                "name": doc.name,
                "resource": doc.resource,
                "severity": doc.severity,
                "category": doc.category,
                "frameworks": {k: list(v) for k, v in doc.frameworks.items()},
                "enabled": doc.enabled,
                "autofix": doc.autofix.action if doc.autofix else None,
                "params": sorted(doc.param_defaults()),
            }
        )
    return rows, [str(e) for e in report.errors]


def list_policies(paths: list[str] | None, output: str) -> int:
    """Print the pack; exit 1 when any policy file failed to load."""
    rows, errors = catalogue(paths)
    if output == "json":
        print(json.dumps(rows, indent=2))
    else:
        by_category = Counter(r["category"] for r in rows)
        print(
            f"{len(rows)} policies: "
            + ", ".join(f"{c} {n}" for c, n in sorted(by_category.items()))
        )
        for r in rows:
            cis = ",".join(r["frameworks"].get("cis-aws-3.0", []))
            print(f"{r['severity']:<8} {r['category']:<10} {r['id']:<52} {cis}")
    for error in errors:
        print(f"error: {error}")
    return 1 if errors else 0
