"""OpenSearch domains: one in a VPC, encrypted, logged, with fine-grained access; one public."""

from __future__ import annotations

from pacbot.cli.estate._model import SIMULATED_PASSWORD, Account, Seeded, anyone_may, seeded

DOMAIN = "aws.opensearch.domain"


def seed(account: Account, subnets: list[str], group: str, log_group_arn: str) -> list[Seeded]:
    """Both domains with what each must fail."""
    search = account.client("opensearch")
    logs = {
        kind: {"CloudWatchLogsLogGroupArn": log_group_arn, "Enabled": True}
        for kind in ("AUDIT_LOGS", "ES_APPLICATION_LOGS")
    }
    private = search.create_domain(
        DomainName=account.name_of("search")[:28],
        EngineVersion="OpenSearch_2.11",
        VPCOptions={"SubnetIds": subnets[:1], "SecurityGroupIds": [group]},
        EncryptionAtRestOptions={"Enabled": True},
        NodeToNodeEncryptionOptions={"Enabled": True},
        DomainEndpointOptions={
            "EnforceHTTPS": True,
            "TLSSecurityPolicy": "Policy-Min-TLS-1-2-2019-07",
        },
        AdvancedSecurityOptions={
            "Enabled": True,
            "InternalUserDatabaseEnabled": True,
            "MasterUserOptions": {
                "MasterUserName": "admin",
                "MasterUserPassword": SIMULATED_PASSWORD,
            },
        },
        LogPublishingOptions=logs,
    )["DomainStatus"]["ARN"]
    name = account.name_of("logs")[:28]
    public = search.create_domain(
        DomainName=name,
        EngineVersion="OpenSearch_2.11",
        AccessPolicies=anyone_may("es:*", account.arn("es", f"domain/{name}/*")),
    )["DomainStatus"]["ARN"]
    return [
        seeded(DOMAIN, private, gaps={"aws-opensearch-domain-in-vpc"}),
        seeded(
            DOMAIN,
            public,
            {
                "aws-opensearch-domain-audit-logging",
                "aws-opensearch-domain-encryption-at-rest",
                "aws-opensearch-domain-error-logging",
                "aws-opensearch-domain-fine-grained-access",
                "aws-opensearch-domain-https-tls",
                "aws-opensearch-domain-in-vpc",
                "aws-opensearch-domain-node-to-node-encryption",
                "aws-opensearch-domain-public-access-policy",
            },
        ),
    ]
