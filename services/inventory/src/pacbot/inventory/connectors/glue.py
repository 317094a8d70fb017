"""Glue ETL jobs (security configuration, logging, version) and the Data Catalog's encryption."""

from __future__ import annotations

from typing import Any

from pacbot.inventory.connectors._aws import flatten_tags, optional, paginate, plain
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

# The visual editor's graph repeats connection options; the modification time is not config.
_JOB_DROPPED = frozenset({"CodeGenConfigurationNodes", "LastModifiedOn", "DefaultArguments"})
# Glue's own job parameters (documented special parameters); any other argument is the job's
# own and may carry a secret, so only its name is kept.
_SPECIAL_PREFIXES = ("--enable-", "--job-", "--continuous-log-", "--spark-event-logs-path")
_SPECIAL = frozenset(
    {
        "--TempDir",
        "--datalake-formats",
        "--encryption-type",
        "--extra-jars",
        "--extra-py-files",
        "--extra-files",
        "--python-modules-installer-option",
        "--additional-python-modules",
        "--conf",
        "--disable-proxy-v2",
        "--user-jars-first",
        "--write-shuffle-files-to-s3",
        "--write-shuffle-spills-to-s3",
        "--executor-cores",
        "--auto-scale-within-microbatch",
    }
)


def _special(argument: str) -> bool:
    return argument in _SPECIAL or argument.startswith(_SPECIAL_PREFIXES)


def job_config(
    job: dict[str, Any],
    arn: str,
    security: dict[str, Any] | None,
    tags: dict[str, str],
) -> dict[str, Any]:
    """GetJobs' job with Glue's own arguments, the names of the others, and its security config."""
    config: dict[str, Any] = plain({k: v for k, v in job.items() if k not in _JOB_DROPPED})
    arguments: dict[str, Any] = job.get("DefaultArguments") or {}
    config["Arn"] = arn
    config["DefaultArguments"] = {k: v for k, v in sorted(arguments.items()) if _special(k)}
    config["OtherArgumentNames"] = sorted(k for k in arguments if not _special(k))
    config["Connections"] = {
        "Connections": sorted((job.get("Connections") or {}).get("Connections") or [])
    }
    config.setdefault("SecurityConfiguration", None)
    config.setdefault("GlueVersion", None)
    config["SecurityConfigurationEncryption"] = (
        plain(security.get("EncryptionConfiguration")) if security else None
    )
    config["Tags"] = tags
    return config


@connector(
    "aws.glue.job",
    custodian=("glue-job",),
    service="glue",
    scope="regional",
    permissions=("glue:GetJobs", "glue:GetSecurityConfigurations", "glue:GetTags"),
    id_field="Arn",
    name_field="Name",
)
class GlueJobConnector(Connector):
    """Jobs from a paged GetJobs joined to the region's security configurations (one paged call)."""

    config_shape = ConfigShape(
        api=("glue", "Job"),
        attributes=("Arn", "OtherArgumentNames", "SecurityConfigurationEncryption", "Tags"),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every job of the region, each with its named security configuration attached."""
        client = scope.client("glue")
        jobs = paginate(client, "get_jobs", "Jobs")
        if not any(job.get("SecurityConfiguration") for job in jobs):
            return jobs
        configurations = paginate(client, "get_security_configurations", "SecurityConfigurations")
        by_name = {c["Name"]: c for c in configurations}
        return [
            {**job, "_Security": by_name.get(job.get("SecurityConfiguration") or "")}
            for job in jobs
        ]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The job's tags; None when it was deleted since the listing."""
        job = {k: v for k, v in resource.items() if k != "_Security"}
        name: str = job["Name"]
        arn = f"arn:aws:glue:{scope.region}:{scope.account_id}:job/{name}"
        tagged = optional(
            scope.client("glue").get_tags, ("EntityNotFoundException",), ResourceArn=arn
        )
        if tagged is None:
            return None
        tags = flatten_tags(tagged.get("Tags"))
        config = job_config(job, arn, resource.get("_Security"), tags)
        return DiscoveredAsset(
            asset_id=arn, name=name, region=scope.region, config=config, tags=tags
        )


def catalog_config(scope: Scope, settings: dict[str, Any]) -> dict[str, Any]:
    """The catalog's encryption at rest and connection password encryption, modes always set."""
    at_rest = dict(settings.get("EncryptionAtRest") or {})
    at_rest.setdefault("CatalogEncryptionMode", "DISABLED")
    at_rest.setdefault("SseAwsKmsKeyId", None)
    passwords = dict(settings.get("ConnectionPasswordEncryption") or {})
    passwords.setdefault("ReturnConnectionPasswordEncrypted", False)
    passwords.setdefault("AwsKmsKeyId", None)
    config: dict[str, Any] = plain(
        {
            "Arn": f"arn:aws:glue:{scope.region}:{scope.account_id}:catalog",
            "CatalogId": scope.account_id,
            "EncryptionAtRest": at_rest,
            "ConnectionPasswordEncryption": passwords,
            "Tags": {},
        }
    )
    return config


@connector(
    "aws.glue.data_catalog",
    custodian=("glue-catalog",),
    service="glue",
    scope="regional",
    permissions=("glue:GetDataCatalogEncryptionSettings",),
    id_field="Arn",
    name_field="CatalogId",
)
class GlueDataCatalogConnector(Connector):
    """The account's Data Catalog in each region (one asset), with its encryption settings."""

    config_shape = ConfigShape(
        attributes=("Arn", "CatalogId", "ConnectionPasswordEncryption", "EncryptionAtRest", "Tags"),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """The one catalog of the account and region, with its settings."""
        answer = scope.client("glue").get_data_catalog_encryption_settings()
        return [answer.get("DataCatalogEncryptionSettings") or {}]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The settings as a document; the catalog always exists."""
        config = catalog_config(scope, resource)
        return DiscoveredAsset(
            asset_id=config["Arn"], name=scope.account_id, region=scope.region, config=config
        )
