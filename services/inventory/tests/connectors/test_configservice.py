"""AWS Config through the connector directly: recording everything vs no recorder at all."""

from __future__ import annotations

from typing import Any

ARN = "arn:aws:config:{}:123456789012:configuration-recorders"


def test_recorder_recording_all_vs_absent(aws: Any, discover: Any) -> None:
    aws("s3").create_bucket(Bucket="config-history")
    cfg = aws("config", "eu-west-1")
    cfg.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": "arn:aws:iam::123456789012:role/config",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        }
    )
    cfg.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "config-history"})
    cfg.start_configuration_recorder(ConfigurationRecorderName="default")

    on = discover("aws.config.recorder", "eu-west-1")[ARN.format("eu-west-1")].config
    off = discover("aws.config.recorder", "us-east-1")[ARN.format("us-east-1")].config

    assert on["Recording"] is True
    assert on["AllSupported"] is True
    assert on["IncludeGlobalResourceTypes"] is True
    assert on["Recorders"][0]["recordingGroup"]["allSupported"] is True
    assert on["Statuses"] == [{"name": "default", "recording": True}]
    assert on["DeliveryChannels"][0]["s3BucketName"] == "config-history"
    assert off["Recorders"] == off["Statuses"] == off["DeliveryChannels"] == []
    assert (off["Recording"], off["AllSupported"], off["IncludeGlobalResourceTypes"]) == (
        False,
        False,
        False,
    )
