"""A readable diff between two config documents, as JSON-path-like entries."""

from __future__ import annotations

from typing import Any

MAX_ENTRIES = 100
_MISSING = object()


def config_diff(old: Any, new: Any, path: str = "") -> list[dict[str, Any]]:
    """Every leaf that was added, removed or changed, e.g. ``{"path": "Acl.Grants[0]", ...}``."""
    entries: list[dict[str, Any]] = []
    _walk(old, new, path, entries)
    if len(entries) > MAX_ENTRIES:
        dropped = len(entries) - MAX_ENTRIES
        entries = [*entries[:MAX_ENTRIES], {"path": "…", "op": "truncated", "count": dropped}]
    return entries


def _walk(old: Any, new: Any, path: str, out: list[dict[str, Any]]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            child = f"{path}.{key}" if path else str(key)
            _walk(old.get(key, _MISSING), new.get(key, _MISSING), child, out)
        return
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            _walk(a, b, f"{path}[{index}]", out)
        return
    if old is _MISSING:
        out.append({"path": path, "op": "added", "new": new})
    elif new is _MISSING:
        out.append({"path": path, "op": "removed", "old": old})
    elif old != new:
        out.append({"path": path, "op": "changed", "old": old, "new": new})
