"""Redshift clusters through the connector: private, encrypted and logged vs public and plain."""

from __future__ import annotations

from typing import Any

ARN = "arn:aws:redshift:us-east-1:123456789012:cluster"


def _cluster(redshift: Any, name: str, **kwargs: Any) -> None:
    redshift.create_cluster(
        ClusterIdentifier=name,
        NodeType="dc2.large",
        ClusterType="single-node",
        MasterUsername="admin_user",
        MasterUserPassword="Not-a-real-password1",
        **kwargs,
    )


def test_encrypted_private_cluster_and_public_unencrypted_cluster(aws: Any, discover: Any) -> None:
    redshift = aws("redshift")
    _cluster(redshift, "open-warehouse", PubliclyAccessible=True, Encrypted=False)
    redshift.create_cluster_parameter_group(
        ParameterGroupName="strict", ParameterGroupFamily="redshift-1.0", Description="strict"
    )
    _cluster(
        redshift,
        "closed-warehouse",
        PubliclyAccessible=False,
        Encrypted=True,
        KmsKeyId="arn:aws:kms:us-east-1:123456789012:key/rs",
        EnhancedVpcRouting=True,
        ClusterParameterGroupName="strict",
        Tags=[{"Key": "Owner", "Value": "bi-team@example.com"}],
    )
    redshift.enable_logging(
        ClusterIdentifier="closed-warehouse",
        LogDestinationType="cloudwatch",
        LogExports=["connectionlog", "userlog"],
    )

    found = discover("aws.redshift.cluster")

    bad = found[f"{ARN}:open-warehouse"].config
    good = found[f"{ARN}:closed-warehouse"]
    assert (bad["PubliclyAccessible"], bad["Encrypted"]) == (True, False)
    assert bad["LoggingStatus"]["LoggingEnabled"] is False
    assert bad["EnhancedVpcRouting"] is False
    assert bad["RequireSsl"] is False  # default parameter group: require_ssl false
    assert (good.config["PubliclyAccessible"], good.config["Encrypted"]) == (False, True)
    assert good.config["KmsKeyId"].endswith("key/rs")
    assert good.config["EnhancedVpcRouting"] is True
    assert good.config["LoggingStatus"] == {
        "LoggingEnabled": True,
        "LogDestinationType": "cloudwatch",
        "LogExports": ["connectionlog", "userlog"],
    }
    assert good.config["RequireSsl"] is False  # moto cannot modify parameter groups
    assert good.owner == "bi-team@example.com"
    assert "ClusterStatus" not in good.config
    assert "MasterUserPassword" not in good.config
