"""ACM certificates of every key type, with expiry, status, use and renewal eligibility."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from pacbot.inventory.connectors._aws import error_code, flatten_tags, paginate, plain
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

# ListCertificates returns only RSA_1024/RSA_2048 certificates unless asked for the others.
KEY_TYPES = (
    "RSA_1024",
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "EC_prime256v1",
    "EC_secp384r1",
    "EC_secp521r1",
)


@connector(
    "aws.acm.certificate",
    custodian=("acm-certificate",),
    service="acm",
    scope="regional",
    permissions=(
        "acm:ListCertificates",
        "acm:DescribeCertificate",
        "acm:ListTagsForCertificate",
    ),
    id_field="CertificateArn",
    name_field="DomainName",
)
class AcmCertificateConnector(Connector):
    """Certificates as DescribeCertificate returns them; NotAfter, never a days-left count."""

    config_shape = ConfigShape(api=("acm", "CertificateDetail"), attributes=("Tags",))

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """ListCertificates over all key types and statuses."""
        return paginate(
            scope.client("acm"),
            "list_certificates",
            "CertificateSummaryList",
            Includes={"keyTypes": list(KEY_TYPES)},
        )

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """DescribeCertificate and its tags; None if the certificate is gone."""
        acm = scope.client("acm")
        arn: str = resource["CertificateArn"]
        try:
            cert: dict[str, Any] = acm.describe_certificate(CertificateArn=arn)["Certificate"]
            tags = flatten_tags(acm.list_tags_for_certificate(CertificateArn=arn).get("Tags"))
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return None
            raise
        cert["InUseBy"] = sorted(cert.get("InUseBy", []))
        config = plain({**cert, "Tags": tags})
        return DiscoveredAsset(
            asset_id=arn,
            name=str(cert.get("DomainName") or arn),
            region=scope.region,
            config=config,
            tags=tags,
        )
