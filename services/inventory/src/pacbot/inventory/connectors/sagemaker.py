"""SageMaker notebook instances: internet access, root access, KMS encryption and VPC placement."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from pacbot.inventory.connectors._aws import error_code, flatten_tags, paginate, plain
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

# Status, its failure reason and the attached interface move with the instance's lifecycle.
_DROPPED = frozenset(
    {"NotebookInstanceStatus", "FailureReason", "NetworkInterfaceId", "LastModifiedTime"}
)
# What DescribeNotebookInstance reports for a setting left at its default (AWS's documented one).
_DEFAULTS = {"DirectInternetAccess": "Enabled", "RootAccess": "Enabled"}


def _described(client: Any, name: str) -> dict[str, Any] | None:
    """DescribeNotebookInstance, or None when the instance no longer exists."""
    try:
        answer: dict[str, Any] = client.describe_notebook_instance(NotebookInstanceName=name)
    except ClientError as exc:
        message = str(exc.response.get("Error", {}).get("Message", ""))
        if error_code(exc) == "ValidationException" and (
            "RecordNotFound" in message or "does not exist" in message
        ):
            return None
        raise
    answer.pop("ResponseMetadata", None)
    return answer


def notebook_config(described: dict[str, Any], tags: dict[str, str]) -> dict[str, Any]:
    """The description without runtime state: defaults filled, lists sorted, KMS/VPC null."""
    config: dict[str, Any] = plain({k: v for k, v in described.items() if k not in _DROPPED})
    for field, default in _DEFAULTS.items():
        config.setdefault(field, default)
    for field in ("KmsKeyId", "SubnetId"):
        config.setdefault(field, None)
    for field in ("SecurityGroups", "AdditionalCodeRepositories", "AcceleratorTypes"):
        config[field] = sorted(config.get(field) or [])
    config["Tags"] = tags
    return config


@connector(
    "aws.sagemaker.notebook_instance",
    custodian=("sagemaker-notebook",),
    service="sagemaker",
    scope="regional",
    permissions=(
        "sagemaker:ListNotebookInstances",
        "sagemaker:DescribeNotebookInstance",
        "sagemaker:ListTags",
    ),
    id_field="NotebookInstanceArn",
    name_field="NotebookInstanceName",
)
class SageMakerNotebookInstanceConnector(Connector):
    """Notebook instances from a paged ListNotebookInstances; description and tags of each."""

    config_shape = ConfigShape(
        api=("sagemaker", "DescribeNotebookInstanceOutput"),
        attributes=("Tags",),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every notebook instance of the region (summaries)."""
        return paginate(scope.client("sagemaker"), "list_notebook_instances", "NotebookInstances")

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The full description and tags; None when the instance was deleted meanwhile."""
        client = scope.client("sagemaker")
        described = _described(client, resource["NotebookInstanceName"])
        if described is None:
            return None
        arn: str = described["NotebookInstanceArn"]
        tags = flatten_tags(paginate(client, "list_tags", "Tags", ResourceArn=arn))
        config = notebook_config(described, tags)
        return DiscoveredAsset(
            asset_id=arn,
            name=config["NotebookInstanceName"],
            region=scope.region,
            config=config,
            tags=tags,
        )
