"""EKS clusters: a private, fully logged cluster with envelope-encrypted secrets; a bare one."""

from __future__ import annotations

from pacbot.cli.estate._model import Account, Seeded, seeded

CLUSTER = "aws.eks.cluster"


def seed(account: Account, role_arn: str, subnets: list[str], key_arn: str) -> list[Seeded]:
    """Both clusters with what each must fail."""
    eks = account.client("eks")
    private = eks.create_cluster(
        name=account.name_of("platform"),
        roleArn=role_arn,
        resourcesVpcConfig={
            "subnetIds": subnets,
            "endpointPublicAccess": False,
            "endpointPrivateAccess": True,
        },
        logging={
            "clusterLogging": [
                {"types": ["api", "audit", "authenticator"], "enabled": True},
            ]
        },
        encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": key_arn}}],
    )["cluster"]["arn"]
    public = eks.create_cluster(
        name=account.name_of("sandbox"),
        roleArn=role_arn,
        resourcesVpcConfig={
            "subnetIds": subnets,
            "endpointPublicAccess": True,
            # AWS reports 0.0.0.0/0 when none are given; moto reports nothing, so say it.
            "publicAccessCidrs": ["0.0.0.0/0"],
        },
    )["cluster"]["arn"]
    return [
        seeded(CLUSTER, private),
        seeded(
            CLUSTER,
            public,
            {
                "aws-eks-cluster-control-plane-logging",
                "aws-eks-cluster-endpoint-not-public",
                "aws-eks-cluster-secrets-encryption",
            },
        ),
    ]
