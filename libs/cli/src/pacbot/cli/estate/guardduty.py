"""GuardDuty and AWS Config: regional singletons, on in the estate, absent in the lax account."""

from __future__ import annotations

from pacbot.cli.estate._model import Account, Seeded, seeded

DETECTOR = "aws.guardduty.detector"
RECORDER = "aws.config.recorder"


def _arns(account: Account) -> tuple[str, str]:
    return account.arn("guardduty", "detectors"), account.arn("config", "configuration-recorders")


def seed(account: Account, bucket: str, role_arn: str) -> list[Seeded]:
    """An enabled detector and a recorder recording every supported type."""
    account.client("guardduty").create_detector(Enable=True)
    config = account.client("config")
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": role_arn,
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        }
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": bucket})
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    detector, recorder = _arns(account)
    return [seeded(DETECTOR, detector), seeded(RECORDER, recorder)]


def lax(account: Account) -> list[Seeded]:
    """Neither service set up."""
    detector, recorder = _arns(account)
    return [
        seeded(DETECTOR, detector, {"aws-guardduty-detector-enabled"}),
        seeded(RECORDER, recorder, {"aws-config-recorder-enabled"}),
    ]
