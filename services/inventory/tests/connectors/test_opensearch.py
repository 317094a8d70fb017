"""OpenSearch domains through the connector: encrypted and HTTPS-only vs plain."""

from __future__ import annotations

import json
from typing import Any

ARN = "arn:aws:es:us-east-1:123456789012:domain"


def test_encrypted_domain_and_unencrypted_domain(aws: Any, discover: Any) -> None:
    search = aws("opensearch")
    search.create_domain(
        DomainName="open-search",
        AccessPolicies=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "*"},
                        "Action": "es:*",
                        "Resource": "*",
                    }
                ],
            }
        ),
    )
    search.create_domain(
        DomainName="closed-search",
        EngineVersion="OpenSearch_2.11",
        EncryptionAtRestOptions={"Enabled": True},
        NodeToNodeEncryptionOptions={"Enabled": True},
        DomainEndpointOptions={
            "EnforceHTTPS": True,
            "TLSSecurityPolicy": "Policy-Min-TLS-1-2-2019-07",
        },
        LogPublishingOptions={
            "AUDIT_LOGS": {
                "CloudWatchLogsLogGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:os",
                "Enabled": True,
            }
        },
        TagList=[{"Key": "Owner", "Value": "search-team@example.com"}],
    )

    found = discover("aws.opensearch.domain")

    bad = found[f"{ARN}/open-search"].config
    good = found[f"{ARN}/closed-search"]
    assert bad["EncryptionAtRestOptions"]["Enabled"] is False
    assert bad["NodeToNodeEncryptionOptions"]["Enabled"] is False
    assert bad["DomainEndpointOptions"]["EnforceHTTPS"] is False
    assert bad["AccessPolicies"]["Statement"][0]["Principal"] == {"AWS": "*"}
    assert bad["VPCOptions"] is None
    assert bad["LogPublishingOptions"] is None
    assert good.config["EncryptionAtRestOptions"]["Enabled"] is True
    assert good.config["NodeToNodeEncryptionOptions"]["Enabled"] is True
    assert good.config["DomainEndpointOptions"]["TLSSecurityPolicy"] == "Policy-Min-TLS-1-2-2019-07"
    assert good.config["LogPublishingOptions"]["AUDIT_LOGS"]["Enabled"] is True
    assert good.config["AccessPolicies"] is None
    assert good.config["AdvancedSecurityOptions"]["Enabled"] is False
    assert good.owner == "search-team@example.com"
    assert "Processing" not in good.config
