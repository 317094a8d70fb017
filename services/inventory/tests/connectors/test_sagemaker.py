"""SageMaker notebook instances through the connector: locked down in a VPC vs defaults."""

from __future__ import annotations

from typing import Any

ROLE = "arn:aws:iam::123456789012:role/sagemaker-notebooks"


def test_private_encrypted_notebook_and_default_notebook(aws: Any, discover: Any) -> None:
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="notebooks", Description="nb", VpcId=vpc)
    key = aws("kms").create_key(Description="notebooks")["KeyMetadata"]["Arn"]
    sagemaker = aws("sagemaker")
    sagemaker.create_notebook_instance(
        NotebookInstanceName="research",
        InstanceType="ml.t3.medium",
        RoleArn=ROLE,
        SubnetId=subnet,
        SecurityGroupIds=[group["GroupId"]],
        KmsKeyId=key,
        DirectInternetAccess="Disabled",
        RootAccess="Disabled",
        Tags=[{"Key": "Owner", "Value": "data-science"}],
    )
    sagemaker.create_notebook_instance(
        NotebookInstanceName="scratch", InstanceType="ml.t3.medium", RoleArn=ROLE
    )

    found = {a.name: a for a in discover("aws.sagemaker.notebook_instance").values()}

    good = found["research"]
    assert good.asset_id == "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/research"
    assert good.owner == "data-science"
    assert (good.config["DirectInternetAccess"], good.config["RootAccess"]) == (
        "Disabled",
        "Disabled",
    )
    assert (good.config["KmsKeyId"], good.config["SubnetId"]) == (key, subnet)
    assert good.config["SecurityGroups"] == [group["GroupId"]]
    assert "NotebookInstanceStatus" not in good.config
    bad = found["scratch"].config
    assert (bad["DirectInternetAccess"], bad["RootAccess"]) == ("Enabled", "Enabled")
    assert (bad["KmsKeyId"], bad["SubnetId"]) == (None, None)
    assert bad["Tags"] == {}
