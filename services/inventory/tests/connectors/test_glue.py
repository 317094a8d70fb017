"""Glue through the connectors: an encrypted, logged job vs a bare one; the catalog's settings."""

from __future__ import annotations

import json
from typing import Any

ROLE = "arn:aws:iam::123456789012:role/glue-etl"
KEY = "arn:aws:kms:us-east-1:123456789012:key/0b6e2f4a-1111-2222-3333-444455556666"


def test_job_with_security_configuration_and_bare_job(aws: Any, discover: Any) -> None:
    glue = aws("glue")
    encryption = {
        "S3Encryption": [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": KEY}],
        "CloudWatchEncryption": {"CloudWatchEncryptionMode": "SSE-KMS", "KmsKeyArn": KEY},
        "JobBookmarksEncryption": {"JobBookmarksEncryptionMode": "CSE-KMS", "KmsKeyArn": KEY},
    }
    glue.create_security_configuration(Name="etl-kms", EncryptionConfiguration=encryption)
    glue.create_job(
        Name="orders-etl",
        Role=ROLE,
        Command={"Name": "glueetl", "ScriptLocation": "s3://etl-scripts/orders.py"},
        GlueVersion="4.0",
        SecurityConfiguration="etl-kms",
        DefaultArguments={
            "--enable-continuous-cloudwatch-log": "true",
            "--job-bookmark-option": "job-bookmark-enable",
            "--source_db_password": "hunter2-in-an-argument",
        },
        Tags={"Owner": "data-eng"},
    )
    glue.create_job(
        Name="legacy-etl",
        Role=ROLE,
        Command={"Name": "glueetl", "ScriptLocation": "s3://etl-scripts/legacy.py"},
        GlueVersion="2.0",
    )

    found = {a.name: a for a in discover("aws.glue.job").values()}

    good = found["orders-etl"]
    assert good.asset_id == "arn:aws:glue:us-east-1:123456789012:job/orders-etl"
    assert good.owner == "data-eng"
    assert good.config["SecurityConfiguration"] == "etl-kms"
    assert good.config["SecurityConfigurationEncryption"] == encryption
    assert good.config["DefaultArguments"] == {
        "--enable-continuous-cloudwatch-log": "true",
        "--job-bookmark-option": "job-bookmark-enable",
    }
    assert good.config["OtherArgumentNames"] == ["--source_db_password"]
    assert "hunter2" not in json.dumps(good.config)  # the job's own arguments keep no values
    bad = found["legacy-etl"].config
    assert (bad["SecurityConfiguration"], bad["SecurityConfigurationEncryption"]) == (None, None)
    assert bad["DefaultArguments"] == {}
    assert bad["GlueVersion"] == "2.0"
    assert bad["Tags"] == {}


def test_data_catalog_encryption_settings(aws: Any, discover: Any) -> None:
    (bare,) = discover("aws.glue.data_catalog", "eu-west-1").values()
    assert bare.asset_id == "arn:aws:glue:eu-west-1:123456789012:catalog"
    assert bare.config["EncryptionAtRest"]["CatalogEncryptionMode"] == "DISABLED"
    assert bare.config["ConnectionPasswordEncryption"]["ReturnConnectionPasswordEncrypted"] is False

    aws("glue").put_data_catalog_encryption_settings(
        DataCatalogEncryptionSettings={
            "EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS", "SseAwsKmsKeyId": KEY},
            "ConnectionPasswordEncryption": {
                "ReturnConnectionPasswordEncrypted": True,
                "AwsKmsKeyId": KEY,
            },
        }
    )
    (encrypted,) = discover("aws.glue.data_catalog").values()
    assert encrypted.name == "123456789012"
    assert encrypted.config["EncryptionAtRest"] == {
        "CatalogEncryptionMode": "SSE-KMS",
        "SseAwsKmsKeyId": KEY,
    }
    assert encrypted.config["ConnectionPasswordEncryption"] == {
        "ReturnConnectionPasswordEncrypted": True,
        "AwsKmsKeyId": KEY,
    }
