"""Policies a resource fails on moto only because moto cannot hold the compliant setting.

Each reason was measured against moto (the version in uv.lock) by seeding the compliant
setting and reading it back the way the inventory connector does; none is a guess.
"""

from __future__ import annotations

from collections.abc import Mapping

MOTO_GAPS: Mapping[str, str] = {
    "aws-s3-bucket-mfa-delete": (
        "moto accepts PutBucketVersioning with MFADelete=Enabled but GetBucketVersioning never "
        "reports MFADelete, so no versioned bucket can pass"
    ),
    "aws-iam-root-mfa-enabled": (
        "moto's GetAccountSummary hard-codes AccountMFAEnabled=0 and offers no API to give the "
        "root user an MFA device, so every moto account fails it"
    ),
    "aws-iam-root-hardware-mfa": (
        "follows from AccountMFAEnabled=0 above: without root MFA there is no hardware MFA"
    ),
    "aws-iam-server-certificate-expired": (
        "moto's IAM responses hard-code Expiration=2012-05-08T01:02:03.004Z for every server "
        "certificate, whatever the uploaded certificate's notAfter"
    ),
    "aws-iam-server-certificate-expiring": "the same fixed 2012 Expiration",
    "aws-ec2-image-encrypted": (
        "moto's CreateImage and RegisterImage ignore the instance's and the request's block "
        "devices and always report one unencrypted /dev/sda1 mapping on a new snapshot"
    ),
    "aws-ec2-snapshot-encrypted": (
        "the snapshot moto creates behind each AMI (see aws-ec2-image-encrypted) is never "
        "encrypted; only those snapshots carry this gap"
    ),
    "aws-lambda-function-dead-letter": (
        "moto's Lambda model drops DeadLetterConfig on CreateFunction and never returns it from "
        "GetFunction, so no function can show a dead-letter target"
    ),
    "aws-ec2-network-interface-unattached": (
        "moto reports the interface it creates for a NAT gateway as Status=available (AWS "
        "reports in-use); only that interface carries this gap"
    ),
    "aws-elasticache-cluster-at-rest-encryption": (
        "CreateCacheCluster has no at-rest encryption (AWS sets it on replication groups), and "
        "moto's DescribeCacheClusters lists no member clusters of a replication group, so no "
        "Redis cluster the connector sees can show AtRestEncryptionEnabled"
    ),
    "aws-opensearch-domain-in-vpc": (
        "moto's DescribeDomain returns VPCOptions with the subnets and security groups given "
        "but no VPCId, so a domain placed in a VPC still reads as public"
    ),
    "aws-redshift-cluster-require-ssl": (
        "moto does not implement ModifyClusterParameterGroup (HTTP 500), so no parameter group "
        "can hold require_ssl=true"
    ),
    "aws-account-access-analyzer-all-regions": (
        "moto does not implement Access Analyzer: ListAnalyzers answers a bare HTTP 500, which "
        "the posture connector records as AccessAnalyzer.Unavailable"
    ),
    "aws-account-support-role": (
        "needs the AWS-managed AWSSupportAccess policy, which the dev stack's moto server does "
        "not load (AttachRolePolicy answers NoSuchEntity)"
    ),
    "aws-backup-vault-access-policy-not-public": (
        "moto does not implement GetBackupVaultAccessPolicy or PutBackupVaultAccessPolicy (bare "
        "HTTP 404 'Not yet implemented'), so the connector records AccessPolicyUnavailable and no "
        "vault can show that its policy is closed"
    ),
    "aws-route53-hosted-zone-dnssec": (
        "moto does not implement CreateKeySigningKey or EnableHostedZoneDNSSEC (bare HTTP 404), "
        "and its GetDNSSEC always answers ServeSignature NOT_SIGNING, so no zone can be signed"
    ),
}

SWEEP_ERRORS: Mapping[str, str] = {
    "aws.ec2.ebs_encryption_default": (
        "moto does not implement GetEbsDefaultKmsKeyId (HTTP 500), which the connector calls "
        "once encryption by default is on; the enabled setting cannot be described on moto"
    ),
    "aws.guardduty.finding": (
        "moto does not route GuardDuty's ListFindings, GetFindings or CreateSampleFindings "
        "(HTTP 404), which the connector calls for every detector; the estate's region has one"
    ),
    "aws.ssm.managed_instance": (
        "moto does not implement DescribeInstanceInformation, DescribeInstancePatchStates or "
        "ListResourceComplianceSummaries (HTTP 500), so every sweep of the type fails on moto"
    ),
}
"""Resource types whose sweep fails on moto in a region where the hardened setting is on."""

SINGLETON_TYPES = frozenset(
    {
        "aws.ec2.ebs_encryption_default",
        "aws.iam.password_policy",
        "aws.iam.account_summary",
        "aws.guardduty.detector",
        "aws.config.recorder",
        "aws.account.posture",
        "aws.glue.data_catalog",
        "aws.emr.block_public_access",
    }
)
"""One asset per account (and region): hardened in the estate account, broken in the lax one."""

_CREATED_NOW = "moto stamps {what} with the current time and has no API to back-date it"
_MANAGED = (
    "needs the AWS-managed AWSCloudShellFullAccess policy, which the dev stack's moto server does "
    "not load (AttachXPolicy answers NoSuchEntity without MOTO_IAM_LOAD_MANAGED_POLICIES=true)"
)

NOT_BROKEN: Mapping[str, str] = {
    "aws-iam-root-not-used-recently": (
        "moto's credential report lists IAM users only, never the <root_account> row, so root use "
        "cannot be shown (RootLastUsed is null)"
    ),
    "aws-ec2-snapshot-age": _CREATED_NOW.format(what="a snapshot's StartTime"),
    "aws-iam-user-access-keys-rotated": _CREATED_NOW.format(what="an access key's CreateDate"),
    "aws-iam-user-unused-access-keys": _CREATED_NOW.format(what="an access key's CreateDate"),
    "aws-iam-user-unused-console-password": _CREATED_NOW.format(
        what="a login profile's CreateDate (PasswordLastUsed is never set)"
    ),
    "aws-iam-role-unused": _CREATED_NOW.format(what="a role's CreateDate"),
    "aws-iam-user-no-cloudshell-full-access": _MANAGED,
    "aws-iam-group-no-cloudshell-full-access": _MANAGED,
    "aws-iam-role-no-cloudshell-full-access": _MANAGED,
    "aws-iam-root-no-access-keys": (
        "moto hard-codes AccountAccessKeysPresent=0 and has no root user to give keys to"
    ),
    "aws-iam-root-mfa-enabled": "fails in every moto account already (see MOTO_GAPS)",
    "aws-iam-root-hardware-mfa": "fails in every moto account already (see MOTO_GAPS)",
    "aws-ec2-image-encrypted": "every AMI moto creates fails it already (see MOTO_GAPS)",
    "aws-vpc-nat-gateway-healthy": (
        "moto's NAT gateways go straight to available (and to deleted), never to failed"
    ),
    "aws-vpc-route-table-no-blackhole-routes": (
        "moto keeps State=active on routes whose NAT gateway or network interface was deleted"
    ),
    "aws-cloudfront-minimum-tls": (
        "moto reports CloudFrontDefaultCertificate=true for every distribution, even one given "
        "an ACM certificate, so the policy is not_applicable to all of them"
    ),
    "aws-cloudfront-s3-origin-access": (
        "moto's GetDistributionConfig drops S3OriginConfig and OriginAccessControlId from every "
        "origin, so no origin reads as an S3 origin at all"
    ),
    "aws-account-access-analyzer-all-regions": "fails in every moto account (see MOTO_GAPS)",
    "aws-account-support-role": "fails in every moto account (see MOTO_GAPS)",
    "aws-s3-bucket-mfa-delete": "every versioned moto bucket fails it already (see MOTO_GAPS)",
    "aws-acm-certificate-renewal-not-failed": (
        "RenewalSummary only exists for Amazon-issued certificates AWS tried to renew; moto "
        "never renews"
    ),
    "aws-backup-vault-access-policy-not-public": (
        "every moto vault fails it already (see MOTO_GAPS): no access policy can be put on one"
    ),
    "aws-emr-cluster-no-public-master": (
        "moto starts EC2 instances for an EMR cluster only for explicit instance groups, always "
        "in the default VPC with a public address whatever Ec2SubnetId says, and they would be "
        "undeclared EC2 instances, volumes and interfaces; the public primary node is shown in "
        "the connector test instead (tests/connectors/test_emr.py)"
    ),
    "aws-ec2-vpc-endpoint-private-dns": (
        "moto backs every interface endpoint with a network interface reading Status=available "
        "(AWS: in-use), which would fail aws-ec2-network-interface-unattached undeclared; only "
        "gateway endpoints are seeded, and the connector test shows private DNS off"
    ),
}
"""Enabled policies of seeded types that no seeded resource fails on purpose, and why."""

NOT_SEEDED: Mapping[str, str] = {
    "aws.elasticbeanstalk.environment": (
        "moto does not implement DescribeConfigurationSettings (its server answers HTTP 500 "
        "with an HTML page, a ResponseParserError in botocore), which the connector calls for "
        "every environment, so a seeded environment would fail the sweep; the connector is "
        "tested on recorded answers (test_elasticbeanstalk.py)"
    ),
    "aws.guardduty.finding": (
        "moto has no API that creates or lists GuardDuty findings (see SWEEP_ERRORS); the "
        "connector is tested on documented answers with botocore's Stubber "
        "(test_guardduty_findings.py)"
    ),
    "aws.ssm.managed_instance": (
        "moto cannot register a managed instance or hold a patch state (see SWEEP_ERRORS); the "
        "connector is tested on documented answers with botocore's Stubber (test_ssm_patching.py)"
    ),
}
"""Resource types with enabled policies that the estate does not seed, and why."""
