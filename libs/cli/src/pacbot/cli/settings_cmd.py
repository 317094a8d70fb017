"""``pacbot settings SERVICE``: every environment variable a service reads, for operators."""

from __future__ import annotations

import json
from dataclasses import asdict

from pacbot.common.settings_catalog import catalog, required_env, settings_class


def show(service: str, as_json: bool) -> int:
    """Print the service's settings and which of them a (non-embedded) process requires."""
    cls = settings_class(service)
    settings = catalog(cls)
    required = [sorted(group) for group in required_env(cls)]
    if as_json:
        payload = {
            "service": service,
            "required": required,
            "settings": [asdict(s) for s in settings],
        }
        print(json.dumps(payload, indent=2))
        return 0
    print(f"{service}: required unless PACBOT_EMBEDDED=true (one of each line):")
    for group in required:
        print(f"  {' | '.join(group)}")
    print()
    width = max(len(s.env) for s in settings)
    for s in settings:
        notes = [s.description or ""]
        if s.secret:
            notes.append("(secret)")
        elif s.default not in (None, "", "[]", "{}"):
            notes.append(f"[default: {s.default}]")
        print(f"  {s.env:<{width}}  {' '.join(n for n in notes if n)}")
    return 0
