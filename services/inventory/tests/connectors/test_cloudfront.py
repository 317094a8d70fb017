"""CloudFront distributions through the connector: allow-all vs redirect-to-https viewers."""

from __future__ import annotations

from typing import Any


def _config(reference: str, policy: str, origin_policy: str, **extra: Any) -> dict[str, Any]:
    origin = {
        "Id": "origin",
        "DomainName": "origin.example.com",
        "CustomOriginConfig": {
            "HTTPPort": 80,
            "HTTPSPort": 443,
            "OriginProtocolPolicy": origin_policy,
        },
    }
    return {
        "CallerReference": reference,
        "Comment": reference,
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": {
            "TargetOriginId": "origin",
            "ViewerProtocolPolicy": policy,
            "MinTTL": 0,
            "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
        },
        **extra,
    }


def test_allow_all_distribution_and_https_only_distribution(aws: Any, discover: Any) -> None:
    cloudfront = aws("cloudfront")
    bad_arn = cloudfront.create_distribution(
        DistributionConfig=_config("open-cdn", "allow-all", "http-only")
    )["Distribution"]["ARN"]
    good_arn = cloudfront.create_distribution_with_tags(
        DistributionConfigWithTags={
            "DistributionConfig": _config(
                "closed-cdn",
                "redirect-to-https",
                "https-only",
                Logging={
                    "Enabled": True,
                    "IncludeCookies": False,
                    "Bucket": "cdn-logs.s3.amazonaws.com",
                    "Prefix": "closed/",
                },
                WebACLId="arn:aws:wafv2:us-east-1:123456789012:global/webacl/cdn/abc",
            ),
            "Tags": {"Items": [{"Key": "Owner", "Value": "edge-team@example.com"}]},
        }
    )["Distribution"]["ARN"]

    found = discover("aws.cloudfront.distribution")

    bad = found[bad_arn]
    good = found[good_arn]
    assert bad.region == "global"
    assert bad.config["ViewerProtocolPolicies"] == ["allow-all"]
    assert bad.config["Logging"]["Enabled"] is False
    assert "MinimumProtocolVersion" in bad.config["ViewerCertificate"]
    assert good.config["ViewerProtocolPolicies"] == ["redirect-to-https"]
    assert good.config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert good.config["Logging"]["Enabled"] is True
    assert good.config["WebACLId"].endswith("webacl/cdn/abc")
    origin = good.config["Origins"]["Items"][0]
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert bad.config["Origins"]["Items"][0]["CustomOriginConfig"]["OriginProtocolPolicy"] == (
        "http-only"
    )
    assert good.owner == "edge-team@example.com"
    assert "Status" not in good.config
