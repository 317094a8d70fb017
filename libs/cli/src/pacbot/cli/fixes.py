"""`pacbot fixes`: the registered AutoFix fixes, and the IAM policy remediation needs."""

from __future__ import annotations

import json
import sys
from typing import Any

from pacbot.autofix.fixes import FIXES
from pacbot.autofix.fixes.catalog import catalog, remediation_policies
from pacbot.common.iam_policy import invalid_actions

LABELS = (
    ("policies", "policies"),
    ("read_permissions", "read"),
    ("write_permissions", "write"),
    ("backs_up", "backs up"),
    ("verifies", "verifies"),
)


def _field(value: Any) -> str:
    return ", ".join(value) if isinstance(value, list) else str(value)


def _table(rows: list[dict[str, Any]]) -> None:
    """One block per fix: name, type and reversibility, then every other field on its own line."""
    reversible = sum(1 for row in rows if row["reversible"])
    actions = {a for row in rows for a in (*row["read_permissions"], *row["write_permissions"])}
    noun = "fix" if len(rows) == 1 else "fixes"
    print(f"{len(rows)} {noun} ({reversible} reversible) needing {len(actions)} IAM actions")
    for row in rows:
        mark = "reversible" if row["reversible"] else "not reversible"
        print(f"\n{row['name']:<40} {row['resource_type']:<36} {mark}")
        print(f"  {row['description']}")
        for key, label in LABELS:
            print(f"  {label + ':':<10} {_field(row[key]) or '-'}")


def list_fixes(output: str) -> int:
    """Print every registered fix, as a table or a JSON list."""
    rows = catalog(FIXES)
    if output == "json":
        print(json.dumps(rows, indent=2))
    else:
        _table(rows)
    return 0


def iam_policy() -> int:
    """Print the remediation policy (a list of documents only if it must be split); 1 if invalid."""
    documents = remediation_policies(FIXES)
    granted = [a for d in documents for s in d["Statement"] for a in s["Action"]]
    bad = invalid_actions(granted)
    if bad:
        print(f"error: not a service:Action: {', '.join(bad)}", file=sys.stderr)
        return 1
    print(json.dumps(documents[0] if len(documents) == 1 else documents, indent=2))
    return 0


def run(action: str, output: str) -> int:
    """Dispatch `pacbot fixes list|iam-policy`."""
    return iam_policy() if action == "iam-policy" else list_fixes(output)
