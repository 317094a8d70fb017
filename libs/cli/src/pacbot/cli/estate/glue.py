"""Glue: an encrypted, logged job and a bare legacy one; the Data Catalog's encryption settings."""

from __future__ import annotations

from typing import Any

from pacbot.cli.estate._model import Account, Seeded, seeded

JOB = "aws.glue.job"
CATALOG = "aws.glue.data_catalog"


def _catalog_arn(account: Account) -> str:
    return account.arn("glue", "catalog")


def seed(account: Account, key_arn: str, role_arn: str) -> list[Seeded]:
    """Both jobs and the encrypted catalog, with what each must fail."""
    glue = account.client("glue")
    security = account.name_of("etl-kms")
    glue.create_security_configuration(
        Name=security,
        EncryptionConfiguration={
            "S3Encryption": [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": key_arn}],
            "CloudWatchEncryption": {"CloudWatchEncryptionMode": "SSE-KMS", "KmsKeyArn": key_arn},
            "JobBookmarksEncryption": {
                "JobBookmarksEncryptionMode": "CSE-KMS",
                "KmsKeyArn": key_arn,
            },
        },
    )

    def job(name: str, version: str, **settings: Any) -> str:
        full = account.name_of(name)
        glue.create_job(
            Name=full,
            Role=role_arn,
            Command={"Name": "glueetl", "ScriptLocation": f"s3://{account.name}-etl/{name}.py"},
            GlueVersion=version,
            **settings,
        )
        return account.arn("glue", f"job/{full}")

    orders = job(
        "orders-etl",
        "4.0",
        SecurityConfiguration=security,
        DefaultArguments={"--enable-continuous-cloudwatch-log": "true"},
        Tags={"Owner": "data-eng"},
    )
    legacy = job("legacy-etl", "2.0")
    glue.put_data_catalog_encryption_settings(
        DataCatalogEncryptionSettings={
            "EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS", "SseAwsKmsKeyId": key_arn},
            "ConnectionPasswordEncryption": {
                "ReturnConnectionPasswordEncrypted": True,
                "AwsKmsKeyId": key_arn,
            },
        }
    )
    return [
        seeded(JOB, orders),
        seeded(
            JOB,
            legacy,
            {
                "aws-glue-job-security-configuration",
                "aws-glue-job-s3-encryption",
                "aws-glue-job-cloudwatch-logs-encryption",
                "aws-glue-job-continuous-logging",
                "aws-glue-job-supported-version",
            },
        ),
        seeded(CATALOG, _catalog_arn(account)),
    ]


def lax(account: Account) -> list[Seeded]:
    """The catalog of an account that never turned on its encryption."""
    return [
        seeded(
            CATALOG,
            _catalog_arn(account),
            {
                "aws-glue-data-catalog-encrypted",
                "aws-glue-data-catalog-connection-passwords-encrypted",
            },
        )
    ]
