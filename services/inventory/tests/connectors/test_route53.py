"""Route 53 hosted zones through the connector: logged public zone, bare public zone, private."""

from __future__ import annotations

from typing import Any


def test_logged_public_zone_vs_unlogged_zone_and_private_zone(aws: Any, discover: Any) -> None:
    route53, logs = aws("route53"), aws("logs")
    logged = route53.create_hosted_zone(Name="shop.example.com", CallerReference="logged")[
        "HostedZone"
    ]["Id"].rsplit("/", 1)[1]
    bare = route53.create_hosted_zone(Name="legacy.example.com", CallerReference="bare")[
        "HostedZone"
    ]["Id"].rsplit("/", 1)[1]
    vpc = aws("ec2").create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    private = route53.create_hosted_zone(
        Name="internal.example",
        CallerReference="private",
        VPC={"VPCRegion": "us-east-1", "VPCId": vpc},
        HostedZoneConfig={"PrivateZone": True, "Comment": "service discovery"},
    )["HostedZone"]["Id"].rsplit("/", 1)[1]
    logs.create_log_group(logGroupName="/aws/route53/shop.example.com")
    group_arn = logs.describe_log_groups()["logGroups"][0]["arn"]
    route53.create_query_logging_config(HostedZoneId=logged, CloudWatchLogsLogGroupArn=group_arn)
    route53.change_tags_for_resource(
        ResourceType="hostedzone", ResourceId=logged, AddTags=[{"Key": "Owner", "Value": "shop"}]
    )

    found = {a.config["HostedZoneId"]: a for a in discover("aws.route53.hosted_zone").values()}

    shop, legacy, internal = found[logged], found[bare], found[private]
    assert shop.asset_id == f"arn:aws:route53:::hostedzone/{logged}"
    assert shop.name == "shop.example.com."
    assert shop.region == "global"
    assert shop.owner == "shop"
    assert shop.config["PrivateZone"] is False
    assert [c["CloudWatchLogsLogGroupArn"] for c in shop.config["QueryLoggingConfigs"]] == [
        group_arn
    ]
    assert shop.config["Dnssec"] == {"ServeSignature": "NOT_SIGNING"}
    assert "ResourceRecordSetCount" not in shop.config
    assert legacy.config["QueryLoggingConfigs"] == []
    assert legacy.config["VPCs"] == []
    assert internal.config["PrivateZone"] is True
    assert internal.config["VPCs"] == [{"VPCRegion": "us-east-1", "VPCId": vpc}]
    assert internal.config["Dnssec"] is None
    assert internal.config["Config"]["Comment"] == "service discovery"
