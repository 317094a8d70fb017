"""ECR repositories: scan on push, tag mutability, encryption, repository and lifecycle policy."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from pacbot.inventory.connectors._aws import (
    error_code,
    flatten_tags,
    paginate,
    plain,
    policy_document,
)
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

_GONE = "RepositoryNotFoundException"


class RepositoryGone(Exception):
    """The repository was deleted between the listing and its description."""


def _get(call: Any, missing: str, **kwargs: Any) -> dict[str, Any] | None:
    """A repository sub-resource, None when absent; RepositoryGone when the repository is."""
    try:
        response: dict[str, Any] = call(**kwargs)
    except ClientError as exc:
        if error_code(exc) == _GONE:
            raise RepositoryGone(kwargs) from exc
        if error_code(exc) == missing:
            return None
        raise
    response.pop("ResponseMetadata", None)
    return response


def repository_config(
    repository: dict[str, Any],
    policy: dict[str, Any] | None,
    lifecycle: dict[str, Any] | None,
    tags: dict[str, str],
) -> dict[str, Any]:
    """DescribeRepositories' item (API casing) plus the decoded policies and tags."""
    config: dict[str, Any] = plain(repository)
    config["Policy"] = policy_document(policy["policyText"]) if policy else None
    text = (lifecycle or {}).get("lifecyclePolicyText")
    config["LifecyclePolicy"] = json.loads(text) if text else None
    config["Tags"] = tags
    return config


@connector(
    "aws.ecr.repository",
    custodian=("ecr",),
    service="ecr",
    scope="regional",
    permissions=(
        "ecr:DescribeRepositories",
        "ecr:GetRepositoryPolicy",
        "ecr:GetLifecyclePolicy",
        "ecr:ListTagsForResource",
    ),
    id_field="repositoryArn",
    name_field="repositoryName",
)
class EcrRepositoryConnector(Connector):
    """Repositories from a paged DescribeRepositories; policies and tags per repository."""

    config_shape = ConfigShape(
        api=("ecr", "Repository"),
        attributes=("LifecyclePolicy", "Policy", "Tags"),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every private repository of the region, fully described."""
        return paginate(scope.client("ecr"), "describe_repositories", "repositories")

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """Repository policy and lifecycle policy (null when absent) and tags."""
        client = scope.client("ecr")
        name: str = resource["repositoryName"]
        arn: str = resource["repositoryArn"]
        try:
            policy = _get(
                client.get_repository_policy,
                "RepositoryPolicyNotFoundException",
                repositoryName=name,
            )
            lifecycle = _get(
                client.get_lifecycle_policy, "LifecyclePolicyNotFoundException", repositoryName=name
            )
            tagged = _get(client.list_tags_for_resource, _GONE, resourceArn=arn)
        except RepositoryGone:
            return None
        tags = flatten_tags((tagged or {}).get("tags"))
        config = repository_config(resource, policy, lifecycle, tags)
        return DiscoveredAsset(
            asset_id=arn, name=name, region=scope.region, config=config, tags=tags
        )
