"""GuardDuty: the region's detector, enabled in the estate, absent in the lax account."""

from __future__ import annotations

from pacbot.cli.estate._model import Account, Seeded, seeded

DETECTOR = "aws.guardduty.detector"


def _arn(account: Account) -> str:
    return account.arn("guardduty", "detectors")


def seed(account: Account) -> list[Seeded]:
    """An enabled detector."""
    account.client("guardduty").create_detector(Enable=True)
    return [seeded(DETECTOR, _arn(account))]


def lax(account: Account) -> list[Seeded]:
    """No detector at all."""
    return [seeded(DETECTOR, _arn(account), {"aws-guardduty-detector-enabled"})]
