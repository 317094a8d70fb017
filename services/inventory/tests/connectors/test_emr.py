"""EMR clusters through the connector: a private, encrypted, logged cluster vs a public one."""

from __future__ import annotations

import json
from typing import Any

from pacbot.common.aws import AccountAccess, AwsSessionFactory
from pacbot.inventory.connectors import CONNECTORS, Scope
from pacbot.inventory.connectors.emr import cluster_config

MOTO_ACCOUNT = "123456789012"  # moto's default account, the one the fixtures use

KEY = "arn:aws:kms:us-east-1:123456789012:key/5e1c0a3b-aaaa-bbbb-cccc-ddddeeeeffff"
SECURE = {
    "EncryptionConfiguration": {
        "EnableAtRestEncryption": True,
        "EnableInTransitEncryption": True,
        "AtRestEncryptionConfiguration": {
            "S3EncryptionConfiguration": {"EncryptionMode": "SSE-KMS", "AwsKmsKey": KEY},
            "LocalDiskEncryptionConfiguration": {
                "EncryptionKeyProviderType": "AwsKms",
                "AwsKmsKey": KEY,
                "EnableEbsEncryption": True,
            },
        },
        "InTransitEncryptionConfiguration": {
            "TLSCertificateConfiguration": {
                "CertificateProviderType": "PEM",
                "S3Object": "s3://emr-certs/analytics.zip",
            }
        },
    }
}


def _cluster(emr: Any, name: str, instances: dict[str, Any], **settings: Any) -> str:
    return str(
        emr.run_job_flow(
            Name=name,
            ReleaseLabel="emr-6.15.0",
            Instances={"KeepJobFlowAliveWhenNoSteps": True, **instances},
            JobFlowRole="EMR_EC2_DefaultRole",
            ServiceRole="EMR_DefaultRole",
            **settings,
        )["ClusterArn"]
    )


def test_private_encrypted_cluster_and_public_plain_cluster(
    aws: Any, discover: Any, moto_url: str
) -> None:
    emr = aws("emr")
    emr.create_security_configuration(Name="analytics", SecurityConfiguration=json.dumps(SECURE))
    # moto starts EC2 instances (with public addresses) only for explicit instance groups.
    good_arn = _cluster(
        emr,
        "analytics",
        {"MasterInstanceType": "m5.xlarge", "SlaveInstanceType": "m5.xlarge", "InstanceCount": 3},
        LogUri="s3://emr-logs/analytics/",
        SecurityConfiguration="analytics",
        KerberosAttributes={"Realm": "EC2.INTERNAL", "KdcAdminPassword": "kdc-Secret-1"},
        Tags=[{"Key": "Owner", "Value": "data-team@example.com"}],
    )
    groups = [
        {
            "Name": "primary",
            "InstanceRole": "MASTER",
            "InstanceType": "m5.xlarge",
            "InstanceCount": 1,
        },
        {"Name": "core", "InstanceRole": "CORE", "InstanceType": "m5.xlarge", "InstanceCount": 1},
    ]
    bad_arn = _cluster(emr, "adhoc", {"InstanceGroups": groups})
    gone = _cluster(emr, "finished", {"MasterInstanceType": "m5.xlarge", "InstanceCount": 1})
    emr.terminate_job_flows(JobFlowIds=[gone.rsplit("/", 1)[1]])

    found = discover("aws.emr.cluster")

    assert set(found) == {good_arn, bad_arn}
    good = found[good_arn]
    bad = found[bad_arn].config
    assert good.config["MasterPublicIpAddresses"] == []
    assert good.config["LogUri"] == "s3://emr-logs/analytics/"
    details = good.config["SecurityConfigurationDetails"]
    assert details["Name"] == "analytics"
    assert details["EncryptionConfiguration"]["EnableAtRestEncryption"] is True
    assert details["EncryptionConfiguration"]["EnableInTransitEncryption"] is True
    assert good.config["KerberosRealm"] == "EC2.INTERNAL"
    assert "kdc-Secret-1" not in json.dumps(good.config)
    assert good.owner == "data-team@example.com"
    assert "Status" not in good.config
    assert len(bad["MasterPublicIpAddresses"]) == 1
    assert bad["LogUri"] is None
    assert bad["SecurityConfiguration"] is None
    assert bad["SecurityConfigurationDetails"] is None
    assert bad["KerberosRealm"] is None

    # moto lists every region's clusters in every region (all with us-east-1 ARNs): a sweep
    # leaves a cluster to the region its ARN names when the account's sweeps cover that region
    factory = AwsSessionFactory(endpoint_url=moto_url)
    for regions, kept in ((("us-east-1", "eu-west-1"), set()), (("eu-west-1",), {good_arn})):
        scope = Scope(factory, AccountAccess(MOTO_ACCOUNT), "eu-west-1", "us-east-1", regions)
        listed = CONNECTORS.get("aws.emr.cluster")().list_resources(scope)
        assert {c["ClusterArn"] for c in listed} & {good_arn} == kept


def test_secrets_in_configurations_never_reach_the_document() -> None:
    cluster = {
        "Id": "j-1ABCDEFGHIJKL",
        "Name": "metastore",
        "ClusterArn": "arn:aws:elasticmapreduce:us-east-1:123456789012:cluster/j-1ABCDEFGHIJKL",
        "Status": {"State": "WAITING"},
        "Configurations": [
            {
                "Classification": "hive-site",
                "Properties": {"javax.jdo.option.ConnectionPassword": "hunter2-hive"},
            }
        ],
        "KerberosAttributes": {"Realm": "CORP.EXAMPLE.COM", "ADDomainJoinPassword": "ad-join-pw"},
        "Applications": [{"Name": "Spark"}, {"Name": "Hive"}],
    }
    config = cluster_config(cluster, None, ["54.1.2.3"])
    text = json.dumps(config)
    assert "hunter2-hive" not in text
    assert "ad-join-pw" not in text
    assert config["KerberosRealm"] == "CORP.EXAMPLE.COM"
    assert [a["Name"] for a in config["Applications"]] == ["Hive", "Spark"]
    assert config["MasterPublicIpAddresses"] == ["54.1.2.3"]


def test_block_public_access_never_set_then_turned_on(aws: Any, discover: Any) -> None:
    """moto keeps one EMR setting for all regions (its EMR answers every region as us-east-1),
    so the two states are shown one after the other rather than side by side."""
    arn = f"arn:aws:elasticmapreduce:eu-west-1:{MOTO_ACCOUNT}:block-public-access"
    never_set = discover("aws.emr.block_public_access", "eu-west-1")
    aws("emr", "eu-west-1").put_block_public_access_configuration(
        BlockPublicAccessConfiguration={
            "BlockPublicSecurityGroupRules": True,
            "PermittedPublicSecurityGroupRuleRanges": [
                {"MinRange": 443, "MaxRange": 443},
                {"MinRange": 22, "MaxRange": 22},
            ],
        }
    )
    on = discover("aws.emr.block_public_access", "eu-west-1")

    assert never_set[arn].config == {
        "Arn": arn,
        "Name": "emr-block-public-access",
        "Region": "eu-west-1",
        "BlockPublicSecurityGroupRules": False,
        "PermittedPublicSecurityGroupRuleRanges": [],
        "Tags": {},
    }
    assert list(on) == [arn]
    assert on[arn].region == "eu-west-1"
    setting = on[arn].config
    assert setting["BlockPublicSecurityGroupRules"] is True
    assert setting["PermittedPublicSecurityGroupRuleRanges"] == [
        {"MinRange": 22, "MaxRange": 22},
        {"MinRange": 443, "MaxRange": 443},
    ]
    assert "BlockPublicAccessConfigurationMetadata" not in setting
