"""Route 53 hosted zones: a logged public zone, a bare public zone and a private zone."""

from __future__ import annotations

from pacbot.cli.estate._model import Account, Seeded, seeded
from pacbot.cli.estate.logs import LOG_GROUP, log_group

HOSTED_ZONE = "aws.route53.hosted_zone"
QUERY_LOG_REGION = "us-east-1"
"""Route 53 writes query logs only to log groups in us-east-1, whatever the estate's region."""


def seed(account: Account, vpc_id: str, key_arn: str) -> list[Seeded]:
    """Every hosted zone with what it must fail (and the query log group, when it is swept)."""
    route53 = account.client("route53")

    def zone(name: str, **private: object) -> str:
        created = route53.create_hosted_zone(
            Name=name, CallerReference=account.name_of(name), **private
        )
        return str(created["HostedZone"]["Id"]).rsplit("/", 1)[1]

    shop = zone(f"{account.name}-shop.example.com")
    group_arn, found = _query_log_group(account, key_arn)
    route53.create_query_logging_config(HostedZoneId=shop, CloudWatchLogsLogGroupArn=group_arn)
    legacy = zone(f"{account.name}-legacy.example.com")
    internal = zone(
        f"{account.name}.internal",
        VPC={"VPCRegion": account.region, "VPCId": vpc_id},
        HostedZoneConfig={"PrivateZone": True, "Comment": "service discovery"},
    )
    arn = "arn:aws:route53:::hostedzone/{}".format
    return [
        *found,
        seeded(HOSTED_ZONE, arn(shop), gaps={"aws-route53-hosted-zone-dnssec"}),
        seeded(
            HOSTED_ZONE,
            arn(legacy),
            {"aws-route53-hosted-zone-query-logging", "aws-route53-hosted-zone-dnssec"},
        ),
        seeded(HOSTED_ZONE, arn(internal)),
    ]


def _query_log_group(account: Account, key_arn: str) -> tuple[str, list[Seeded]]:
    """The us-east-1 log group query logs go to (``…:*`` ARN) and its declaration.

    In an estate seeded in us-east-1 it is one of the estate's hardened log groups, swept and
    declared; elsewhere it lives outside the swept region (kept a year, but without the
    estate's key, which belongs to another region) and is not declared.
    """
    if account.region == QUERY_LOG_REGION:
        arn = log_group(account, "dns-queries", key_arn, 365)
        found = [seeded(LOG_GROUP, arn)]
        logs = account.client("logs")
    else:
        logs = account.session.client(
            "logs", endpoint_url=account.endpoint_url, region_name=QUERY_LOG_REGION
        )
        name = f"/acme/{account.name_of('dns-queries')}"
        logs.create_log_group(logGroupName=name)
        logs.put_retention_policy(logGroupName=name, retentionInDays=365)
        found = []
    prefix = f"/acme/{account.name_of('dns-queries')}"
    described = logs.describe_log_groups(logGroupNamePrefix=prefix)["logGroups"][0]
    return str(described["arn"]), found
