"""CodeBuild projects: credentials in variables and source URLs, logging, artifacts, privilege.

A project holds secrets in several places (plain-text environment variables, credentials in a
source URL, an inline buildspec); none of them enters the config document. What a policy needs
to know about them is recorded instead: whether a plain-text value looks like an AWS key, whether
a source URL carried credentials, whether the buildspec was inline.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pacbot.inventory.connectors._aws import flatten_tags, paginate, plain
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

_BATCH = 100  # BatchGetProjects takes at most 100 names
_AWS_KEY = re.compile(r"^(?:(?:AKIA|ASIA)[A-Z0-9]{16}|[A-Za-z0-9/+]{40})$")
REDACTED = "REDACTED"


def redacted_location(location: str | None) -> tuple[str | None, bool]:
    """A source URL without its user info, and whether it carried any (user, token, password)."""
    if not location or "://" not in location:
        return location, False
    parts = urlsplit(location)
    if "@" not in parts.netloc:
        return location, False
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{REDACTED}@{host}")), True


def source_config(source: dict[str, Any]) -> dict[str, Any]:
    """A (primary or secondary) source with credentials and inline buildspec text taken out."""
    shaped = dict(source)
    shaped["location"], shaped["locationHasCredentials"] = redacted_location(source.get("location"))
    buildspec = source.get("buildspec")
    inline = isinstance(buildspec, str) and ("\n" in buildspec or buildspec.startswith("version"))
    if inline:
        shaped["buildspec"] = REDACTED
    shaped["buildspecInline"] = inline
    return shaped


def environment_variable(variable: dict[str, Any]) -> dict[str, Any]:
    """A variable's name and type; a plain-text value is replaced by whether it looks like a key.

    PARAMETER_STORE and SECRETS_MANAGER values are references (a parameter name, a secret ARN),
    not secrets, and are kept.
    """
    kind = variable.get("type", "PLAINTEXT")
    shaped: dict[str, Any] = {"name": variable.get("name"), "type": kind}
    value = str(variable.get("value") or "")
    if kind == "PLAINTEXT":
        shaped["valueLooksLikeAwsKey"] = bool(_AWS_KEY.match(value))
    else:
        shaped["value"] = value
    return shaped


def project_config(project: dict[str, Any]) -> dict[str, Any]:
    """BatchGetProjects' project made safe to store: no secret text, lists in a stable order."""
    config: dict[str, Any] = plain({k: v for k, v in project.items() if k != "tags"})
    config["source"] = source_config(config.get("source") or {})
    config["secondarySources"] = sorted(
        (source_config(s) for s in config.get("secondarySources") or []),
        key=lambda s: str(s.get("sourceIdentifier")),
    )
    config["secondaryArtifacts"] = sorted(
        config.get("secondaryArtifacts") or [], key=lambda a: str(a.get("artifactIdentifier"))
    )
    environment = dict(config.get("environment") or {})
    environment["environmentVariables"] = sorted(
        (environment_variable(v) for v in environment.get("environmentVariables") or []),
        key=lambda v: str(v["name"]),
    )
    environment.setdefault("privilegedMode", False)
    config["environment"] = environment
    config.setdefault("logsConfig", None)
    config["Tags"] = flatten_tags(project.get("tags"))
    return config


@connector(
    "aws.codebuild.project",
    custodian=("codebuild",),
    service="codebuild",
    scope="regional",
    permissions=("codebuild:ListProjects", "codebuild:BatchGetProjects"),
    id_field="arn",
    name_field="name",
)
class CodeBuildProjectConnector(Connector):
    """Project names from a paged ListProjects, described 100 at a time (tags included)."""

    config_shape = ConfigShape(api=("codebuild", "Project"), attributes=("Tags",))

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every project of the region, fully described; one deleted meanwhile is left out."""
        client = scope.client("codebuild")
        names: list[str] = paginate(client, "list_projects", "projects")
        projects: list[dict[str, Any]] = []
        for start in range(0, len(names), _BATCH):
            answer = client.batch_get_projects(names=names[start : start + _BATCH])
            projects.extend(answer.get("projects", []))
        return projects

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The listed project, shaped; no further call."""
        config = project_config(resource)
        return DiscoveredAsset(
            asset_id=config["arn"],
            name=config["name"],
            region=scope.region,
            config=config,
            tags=config["Tags"],
        )
