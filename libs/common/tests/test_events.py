"""The event contract: round trips, and decode errors that say what was wrong."""

from __future__ import annotations

import json

import pytest

from pacbot.common.events import (
    EVENT_MODELS,
    AssetDeleted,
    AssetSummary,
    Envelope,
    EventDecodeError,
    event_schemas,
    utcnow,
)

ASSET = AssetSummary(
    asset_id="arn:aws:s3:::b",
    account_id="123456789012",
    region="us-east-1",
    resource_type="aws.s3.bucket",
    name="b",
)


def test_round_trip_keeps_type_and_data() -> None:
    event = Envelope.wrap(
        AssetDeleted(asset=ASSET, version=3, deleted_at=utcnow()),
        source="inventory",
        subject=ASSET.asset_id,
    )
    decoded = Envelope.decode(event.encode())
    assert decoded.type == "pacbot.asset.deleted"
    assert decoded.specversion == "1.0"
    payload = decoded.payload_as(AssetDeleted)
    assert payload.version == 3
    assert payload.asset == ASSET


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"not json", "not a CloudEvents envelope"),
        (json.dumps({"type": "pacbot.asset.deleted"}).encode(), "source"),
        (
            json.dumps({"type": "nope", "source": "s", "subject": "x", "data": {}}).encode(),
            "unknown event type 'nope'",
        ),
        (
            json.dumps(
                {
                    "type": "pacbot.asset.deleted",
                    "source": "s",
                    "subject": "x",
                    "data": {"version": 0},
                }
            ).encode(),
            "asset: Field required",
        ),
    ],
)
def test_decode_errors_name_the_problem(raw: bytes, message: str) -> None:
    with pytest.raises(EventDecodeError, match=message):
        Envelope.decode(raw)


def test_every_event_type_has_a_published_schema() -> None:
    schemas = event_schemas()
    assert "envelope" in schemas
    names = {model.__name__ for model in EVENT_MODELS.values()}
    assert names <= set(schemas)
    assert schemas["ViolationChanged"]["properties"]["event_type"]["enum"] == [
        "pacbot.violation.opened",
        "pacbot.violation.exempted",
        "pacbot.violation.reopened",
        "pacbot.violation.closed",
    ]
