"""GuardDuty per account and region: one asset saying whether a detector is enabled."""

from __future__ import annotations

from typing import Any

from pacbot.inventory.connectors._aws import flatten_tags, paginate, plain
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)


@connector(
    "aws.guardduty.detector",
    custodian=(),
    service="guardduty",
    scope="regional",
    permissions=("guardduty:ListDetectors", "guardduty:GetDetector"),
    id_field="Arn",
    name_field="Region",
)
class GuardDutyDetectorConnector(Connector):
    """The region's GuardDuty detectors as one setting asset, present even when there are none."""

    config_shape = ConfigShape(
        attributes=("AccountId", "Arn", "Detectors", "Enabled", "Region", "Tags"),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """The region itself; GuardDuty's absence is what a policy flags."""
        return [{"Region": scope.region}]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """ListDetectors and GetDetector (a region has at most one detector)."""
        gd = scope.client("guardduty")
        detectors = []
        for detector_id in sorted(paginate(gd, "list_detectors", "DetectorIds")):
            detector = gd.get_detector(DetectorId=detector_id)
            detector["Tags"] = flatten_tags(detector.get("Tags"))
            detectors.append({"DetectorId": detector_id, **detector})
        tags = {k: v for d in detectors for k, v in d["Tags"].items()}
        arn = f"arn:aws:guardduty:{scope.region}:{scope.account_id}:detectors"
        config = plain(
            {
                "Arn": arn,
                "AccountId": scope.account_id,
                "Region": scope.region,
                "Detectors": detectors,
                "Enabled": any(d.get("Status") == "ENABLED" for d in detectors),
                "Tags": tags,
            }
        )
        return DiscoveredAsset(
            asset_id=arn, name=scope.region, region=scope.region, config=config, tags=tags
        )
