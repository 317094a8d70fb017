"""CloudFront distributions: an S3 site behind OAC, TLS 1.2, WAF and logs; a legacy one.

moto keeps neither ViewerCertificate's ACM certificate nor an origin's S3OriginConfig or
OriginAccessControlId (see ``NOT_BROKEN``), so the TLS and S3-origin policies cannot fail here.
"""

from __future__ import annotations

import time
from typing import Any

from pacbot.cli.estate._model import Account, Seeded, seeded

DISTRIBUTION = "aws.cloudfront.distribution"


def _config(account: Account, name: str, origin: dict[str, Any], **extra: Any) -> dict[str, Any]:
    viewer = extra.pop("viewer", "redirect-to-https")
    return {
        "CallerReference": f"{account.name_of(name)}-{time.time_ns()}",
        "Comment": account.name_of(name),
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": {
            "TargetOriginId": origin["Id"],
            "ViewerProtocolPolicy": viewer,
            "MinTTL": 0,
            "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
            "TrustedSigners": {"Enabled": False, "Quantity": 0},
        },
        **extra,
    }


def seed(account: Account, site_bucket: str, logs_bucket: str, certificate: str) -> list[Seeded]:
    """Every distribution with what it must fail."""
    cloudfront = account.client("cloudfront")
    hardened: dict[str, Any] = {
        "Logging": {
            "Enabled": True,
            "IncludeCookies": False,
            "Bucket": f"{logs_bucket}.s3.amazonaws.com",
            "Prefix": "cdn/",
        },
        "ViewerCertificate": {
            "ACMCertificateArn": certificate,
            "SSLSupportMethod": "sni-only",
            "MinimumProtocolVersion": "TLSv1.2_2021",
        },
        "WebACLId": f"arn:aws:wafv2:us-east-1:{account.account_id}:global/webacl/edge/0123",
    }

    site_origin = {
        "Id": "site",
        "DomainName": f"{site_bucket}.s3.amazonaws.com",
        "S3OriginConfig": {"OriginAccessIdentity": ""},
        "OriginAccessControlId": "E2QWRUHAPOMQZL",
    }

    def distribution(name: str, origin: dict[str, Any], **extra: Any) -> str:
        config = _config(account, name, origin, **extra)
        return str(cloudfront.create_distribution(DistributionConfig=config)["Distribution"]["ARN"])

    good = distribution("site", site_origin, **hardened)
    legacy_origin = {
        "Id": "origin",
        "DomainName": "legacy.acme.example",
        "CustomOriginConfig": {
            "HTTPPort": 80,
            "HTTPSPort": 443,
            "OriginProtocolPolicy": "http-only",
            "OriginSslProtocols": {"Quantity": 2, "Items": ["SSLv3", "TLSv1"]},
        },
    }
    weak_tls = {**hardened["ViewerCertificate"], "MinimumProtocolVersion": "TLSv1"}
    legacy = distribution("legacy", legacy_origin, viewer="allow-all", ViewerCertificate=weak_tls)
    return [
        seeded(DISTRIBUTION, good),
        seeded(
            DISTRIBUTION,
            legacy,
            {
                "aws-cloudfront-logging",
                "aws-cloudfront-origin-https",
                "aws-cloudfront-origin-no-sslv3",
                "aws-cloudfront-viewer-https",
                "aws-cloudfront-waf",
            },
        ),
    ]
