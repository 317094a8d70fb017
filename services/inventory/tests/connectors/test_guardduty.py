"""GuardDuty through the connector directly: one asset per region, enabled or absent."""

from __future__ import annotations

from typing import Any

ARN = "arn:aws:guardduty:{}:123456789012:detectors"


def test_enabled_detector_vs_no_detector(aws: Any, discover: Any) -> None:
    detector = aws("guardduty", "eu-west-1").create_detector(
        Enable=True, FindingPublishingFrequency="FIFTEEN_MINUTES", Tags={"Owner": "secops"}
    )["DetectorId"]

    on = discover("aws.guardduty.detector", "eu-west-1")
    off = discover("aws.guardduty.detector", "us-east-1")

    good = on[ARN.format("eu-west-1")]
    assert list(on) == [ARN.format("eu-west-1")]
    assert good.config["Enabled"] is True
    [found] = good.config["Detectors"]
    assert found["DetectorId"] == detector
    assert found["Status"] == "ENABLED"
    assert found["FindingPublishingFrequency"] == "FIFTEEN_MINUTES"
    assert good.owner == "secops"
    bad = off[ARN.format("us-east-1")]
    assert bad.config["Enabled"] is False
    assert bad.config["Detectors"] == []
    assert bad.config["Tags"] == {}
