"""SageMaker: a notebook instance locked into the estate's VPC, and one left at the defaults."""

from __future__ import annotations

from pacbot.cli.estate._model import Account, Seeded, seeded

NOTEBOOK = "aws.sagemaker.notebook_instance"


def seed(account: Account, key_arn: str, subnet: str, group: str, role_arn: str) -> list[Seeded]:
    """Both notebook instances with what each must fail."""
    sagemaker = account.client("sagemaker")
    research = sagemaker.create_notebook_instance(
        NotebookInstanceName=account.name_of("research"),
        InstanceType="ml.t3.medium",
        RoleArn=role_arn,
        SubnetId=subnet,
        SecurityGroupIds=[group],
        KmsKeyId=key_arn,
        DirectInternetAccess="Disabled",
        RootAccess="Disabled",
        Tags=[{"Key": "Owner", "Value": "data-science"}],
    )["NotebookInstanceArn"]
    scratch = sagemaker.create_notebook_instance(
        NotebookInstanceName=account.name_of("scratch"),
        InstanceType="ml.t3.medium",
        RoleArn=role_arn,
    )["NotebookInstanceArn"]
    return [
        seeded(NOTEBOOK, research),
        seeded(
            NOTEBOOK,
            scratch,
            {
                "aws-sagemaker-notebook-no-direct-internet",
                "aws-sagemaker-notebook-in-vpc",
                "aws-sagemaker-notebook-root-access-disabled",
                "aws-sagemaker-notebook-kms-encrypted",
            },
        ),
    ]
