"""AWS Config: the region's recorder, recording everything in the estate, absent in the lax one."""

from __future__ import annotations

from pacbot.cli.estate._model import Account, Seeded, seeded

RECORDER = "aws.config.recorder"


def _arn(account: Account) -> str:
    return account.arn("config", "configuration-recorders")


def seed(account: Account, bucket: str, role_arn: str) -> list[Seeded]:
    """A recorder recording every supported type, delivering to ``bucket``, started."""
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
    return [seeded(RECORDER, _arn(account))]


def lax(account: Account) -> list[Seeded]:
    """No recorder at all."""
    return [seeded(RECORDER, _arn(account), {"aws-config-recorder-enabled"})]
