"""Redshift clusters: one encrypted, private, audited and SSL-only; one left at defaults."""

from __future__ import annotations

from pacbot.cli.estate._model import SIMULATED_PASSWORD, Account, Seeded, seeded

CLUSTER = "aws.redshift.cluster"


def seed(account: Account, key_arn: str, bucket: str) -> list[Seeded]:
    """Both clusters with what each must fail.

    The hardened cluster uses its own parameter group, but moto cannot set require_ssl in it
    (see ``MOTO_GAPS``).
    """
    redshift = account.client("redshift")
    ssl_only = account.name_of("ssl-only")
    redshift.create_cluster_parameter_group(
        ParameterGroupName=ssl_only, ParameterGroupFamily="redshift-1.0", Description="ssl only"
    )
    common = {
        "NodeType": "ra3.xlplus",
        "MasterUsername": "warehouse",
        "MasterUserPassword": SIMULATED_PASSWORD,
        "ClusterType": "single-node",
    }
    good = account.name_of("warehouse")
    redshift.create_cluster(
        ClusterIdentifier=good,
        Encrypted=True,
        KmsKeyId=key_arn,
        PubliclyAccessible=False,
        ClusterParameterGroupName=ssl_only,
        **common,
    )
    redshift.enable_logging(ClusterIdentifier=good, BucketName=bucket)
    bare = account.name_of("adhoc")
    redshift.create_cluster(ClusterIdentifier=bare, PubliclyAccessible=True, **common)
    return [
        seeded(
            CLUSTER,
            account.arn("redshift", f"cluster:{good}"),
            gaps={"aws-redshift-cluster-require-ssl"},
        ),
        seeded(
            CLUSTER,
            account.arn("redshift", f"cluster:{bare}"),
            {
                "aws-redshift-cluster-audit-logging",
                "aws-redshift-cluster-encrypted",
                "aws-redshift-cluster-not-public",
                "aws-redshift-cluster-require-ssl",
            },
        ),
    ]
