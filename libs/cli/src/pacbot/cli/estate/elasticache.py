"""ElastiCache clusters: a Redis cluster hardened, one left at defaults, a memcached cache."""

from __future__ import annotations

from pacbot.cli.estate._model import Account, Seeded, seeded

CLUSTER = "aws.elasticache.cluster"


def seed(account: Account) -> list[Seeded]:
    """Every cache cluster with what it must fail."""
    cache = account.client("elasticache")

    def cluster(name: str, engine: str, **settings: object) -> str:
        answer = cache.create_cache_cluster(
            CacheClusterId=account.name_of(name),
            Engine=engine,
            CacheNodeType="cache.t3.micro",
            NumCacheNodes=1,
            **settings,
        )["CacheCluster"]
        return str(answer["ARN"])

    sessions = cluster(
        "sessions",
        "redis",
        TransitEncryptionEnabled=True,
        AuthToken="a-long-enough-auth-token-0123456789",
        SnapshotRetentionLimit=7,
    )
    scratch = cluster("scratch", "redis")
    memo = cluster("memo", "memcached")
    return [
        seeded(CLUSTER, sessions, gaps={"aws-elasticache-cluster-at-rest-encryption"}),
        seeded(
            CLUSTER,
            scratch,
            {
                "aws-elasticache-cluster-at-rest-encryption",
                "aws-elasticache-cluster-auth-token",
                "aws-elasticache-cluster-in-transit-encryption",
                "aws-elasticache-cluster-snapshot-retention",
            },
        ),
        seeded(CLUSTER, memo, {"aws-elasticache-cluster-in-transit-encryption"}),
    ]
