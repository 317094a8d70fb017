"""The event contract: round trips, and decode errors that say what was wrong."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from pacbot.common.events import (
    EVENT_MODELS,
    AssetDeleted,
    AssetEvaluated,
    AssetSummary,
    AutofixSpec,
    Envelope,
    EventDecodeError,
    PolicyRef,
    PolicyResult,
    encode_event,
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


def _evaluated() -> AssetEvaluated:
    ref = PolicyRef(
        policy_id="p",
        name="P",
        severity="high",
        category="security",
        autofix=AutofixSpec(action="a", grace_seconds=1.5, params={"x": [1, None]}),
        frameworks={"cis-aws-3.0": ["2.1.4"]},
    )
    return AssetEvaluated(
        asset=ASSET,
        asset_version=4,
        evaluated_at=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        results=[
            PolicyResult(
                policy=ref,
                status="fail",
                reason='ünïcode "quoted" </script>',
                evidence={
                    "a": 1.25,
                    "b": None,
                    "c": {"d": [True, "e"]},
                    "t": datetime(2026, 1, 1, tzinfo=UTC),
                },
            )
        ],
    )


def test_encode_event_is_byte_for_byte_the_wrapped_envelope() -> None:
    data = _evaluated()
    wrapped = Envelope.wrap(data, source="assessor", subject=ASSET.asset_id)
    encoded = encode_event(data, source="assessor", subject=ASSET.asset_id)
    header = json.loads(encoded)
    # id and time are fresh per envelope; with them equal the bytes must be identical
    same = wrapped.model_copy(update={"id": header["id"], "time": Envelope.decode(encoded).time})
    assert encoded == same.model_dump_json()
    assert Envelope.decode(encoded).payload().model_dump(mode="json") == data.model_dump(
        mode="json"
    )


def test_decode_validates_the_data_once_and_keeps_it() -> None:
    raw = Envelope.wrap(_evaluated(), source="assessor", subject="s").encode()
    envelope = Envelope.decode(raw)
    first = envelope.payload()
    assert envelope.payload() is first
    assert first.model_dump(mode="json") == _evaluated().model_dump(mode="json")
