"""ECR repositories and EKS clusters: scan on push on vs off, public vs private API endpoint."""

from __future__ import annotations

import json
from typing import Any

ACCOUNT = "123456789012"


def test_repository_scanning_and_policies(aws: Any, discover: Any) -> None:
    ecr = aws("ecr")
    ecr.create_repository(
        repositoryName="loose-repo",
        imageScanningConfiguration={"scanOnPush": False},
        imageTagMutability="MUTABLE",
    )
    public = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "all", "Effect": "Allow", "Principal": "*", "Action": "ecr:*"}],
    }
    ecr.set_repository_policy(repositoryName="loose-repo", policyText=json.dumps(public))
    ecr.create_repository(
        repositoryName="tight-repo",
        imageScanningConfiguration={"scanOnPush": True},
        imageTagMutability="IMMUTABLE",
        encryptionConfiguration={"encryptionType": "KMS"},
        tags=[{"Key": "Owner", "Value": "build-team@example.com"}],
    )
    rules = {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "imageCountMoreThan",
                    "countNumber": 5,
                },
                "action": {"type": "expire"},
            }
        ]
    }
    ecr.put_lifecycle_policy(repositoryName="tight-repo", lifecyclePolicyText=json.dumps(rules))

    found = discover("aws.ecr.repository")

    bad = found[f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/loose-repo"].config
    good = found[f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/tight-repo"]
    assert bad["imageScanningConfiguration"]["scanOnPush"] is False
    assert bad["imageTagMutability"] == "MUTABLE"
    assert bad["Policy"]["Statement"][0]["Principal"] == "*"
    assert bad["LifecyclePolicy"] is None
    assert good.config["imageScanningConfiguration"]["scanOnPush"] is True
    assert good.config["imageTagMutability"] == "IMMUTABLE"
    assert good.config["encryptionConfiguration"]["encryptionType"] == "KMS"
    assert good.config["Policy"] is None
    assert good.config["LifecyclePolicy"]["rules"][0]["action"] == {"type": "expire"}
    assert good.owner == "build-team@example.com"


def test_public_endpoint_cluster_and_private_endpoint_cluster(aws: Any, discover: Any) -> None:
    eks = aws("eks")
    role = f"arn:aws:iam::{ACCOUNT}:role/eks"
    eks.create_cluster(
        name="open-cluster",
        roleArn=role,
        resourcesVpcConfig={
            "subnetIds": ["subnet-b", "subnet-a"],
            "endpointPublicAccess": True,
            "endpointPrivateAccess": False,
            "publicAccessCidrs": ["0.0.0.0/0"],
        },
    )
    eks.create_cluster(
        name="closed-cluster",
        roleArn=role,
        resourcesVpcConfig={
            "subnetIds": ["subnet-a"],
            "endpointPublicAccess": False,
            "endpointPrivateAccess": True,
        },
        logging={"clusterLogging": [{"types": ["audit", "api"], "enabled": True}]},
        encryptionConfig=[
            {
                "resources": ["secrets"],
                "provider": {"keyArn": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k"},
            }
        ],
        tags={"Owner": "k8s-team@example.com"},
    )

    found = discover("aws.eks.cluster")

    bad = found[f"arn:aws:eks:us-east-1:{ACCOUNT}:cluster/open-cluster"].config
    good = found[f"arn:aws:eks:us-east-1:{ACCOUNT}:cluster/closed-cluster"]
    assert bad["resourcesVpcConfig"]["endpointPublicAccess"] is True
    assert bad["resourcesVpcConfig"]["publicAccessCidrs"] == ["0.0.0.0/0"]
    assert bad["resourcesVpcConfig"]["subnetIds"] == ["subnet-a", "subnet-b"]
    assert bad["LoggingEnabledTypes"] == []
    assert good.config["resourcesVpcConfig"]["endpointPublicAccess"] is False
    assert good.config["resourcesVpcConfig"]["endpointPrivateAccess"] is True
    assert good.config["LoggingEnabledTypes"] == ["api", "audit"]
    assert good.config["encryptionConfig"][0]["resources"] == ["secrets"]
    assert "version" in good.config
    assert "certificateAuthority" not in good.config
    assert good.owner == "k8s-team@example.com"
