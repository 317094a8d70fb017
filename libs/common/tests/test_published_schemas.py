"""The JSON Schemas published in docs/events are exactly what the code emits."""

from __future__ import annotations

import json
from pathlib import Path

from pacbot.common.events import event_schemas

DOCS = Path(__file__).resolve().parents[3] / "docs" / "events"


def test_published_schemas_match_the_models() -> None:
    schemas = event_schemas()
    published = {p.stem: json.loads(p.read_text()) for p in DOCS.glob("*.json")}
    assert set(published) == set(schemas), "run `make schemas`"
    for name, schema in schemas.items():
        assert published[name] == schema, f"docs/events/{name}.json is stale: run `make schemas`"
