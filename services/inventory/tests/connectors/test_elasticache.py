"""ElastiCache clusters through the connector: encrypted in transit vs plain; group inheritance."""

from __future__ import annotations

from typing import Any

from pacbot.inventory.connectors.elasticache import cluster_config

ARN = "arn:aws:elasticache:us-east-1:123456789012:cluster"


def test_encrypted_cluster_and_unencrypted_cluster(aws: Any, discover: Any) -> None:
    cache = aws("elasticache")
    cache.create_cache_cluster(
        CacheClusterId="plain-cache",
        Engine="memcached",
        CacheNodeType="cache.t3.micro",
        NumCacheNodes=1,
    )
    cache.create_cache_cluster(
        CacheClusterId="sealed-cache",
        Engine="redis",
        CacheNodeType="cache.t3.micro",
        NumCacheNodes=1,
        TransitEncryptionEnabled=True,
        SnapshotRetentionLimit=7,
        Tags=[{"Key": "Owner", "Value": "cache-team@example.com"}],
    )

    found = discover("aws.elasticache.cluster")

    bad = found[f"{ARN}:plain-cache"].config
    good = found[f"{ARN}:sealed-cache"]
    assert (bad["TransitEncryptionEnabled"], bad["AtRestEncryptionEnabled"]) == (False, False)
    assert bad["AuthTokenEnabled"] is False
    assert bad["SnapshotRetentionLimit"] == 0
    assert bad["ReplicationGroup"] is None
    assert good.config["TransitEncryptionEnabled"] is True
    assert good.config["SnapshotRetentionLimit"] == 7
    assert good.config["Engine"] == "redis"
    assert good.owner == "cache-team@example.com"
    assert "CacheClusterStatus" not in good.config


def test_member_cluster_inherits_its_replication_group_settings() -> None:
    # moto does not list replication-group members as cache clusters, so the join is checked here.
    member = {
        "CacheClusterId": "grp-001",
        "ARN": f"{ARN}:grp-001",
        "Engine": "redis",
        "ReplicationGroupId": "grp",
        "ReplicationGroup": {
            "ReplicationGroupId": "grp",
            "AtRestEncryptionEnabled": True,
            "TransitEncryptionEnabled": True,
            "AuthTokenEnabled": True,
            "Status": "available",
            "NodeGroups": [],
        },
    }
    config = cluster_config(member, {})
    assert config["ReplicationGroup"] == {
        "ReplicationGroupId": "grp",
        "AtRestEncryptionEnabled": True,
        "TransitEncryptionEnabled": True,
        "AuthTokenEnabled": True,
    }
    assert (config["AtRestEncryptionEnabled"], config["AuthTokenEnabled"]) == (True, True)
