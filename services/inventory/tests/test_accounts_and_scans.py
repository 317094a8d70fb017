"""Onboarding accounts through STS, and what /scans accepts and sweeps."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

OTHER_ACCOUNT = "111122223333"
OTHER_ROLE = f"arn:aws:iam::{OTHER_ACCOUNT}:role/pacbot-read"


def other_account_s3(moto_url: str) -> Any:
    """An S3 client acting inside OTHER_ACCOUNT (moto keeps accounts apart by assumed role)."""
    sts = boto3.client("sts", endpoint_url=moto_url, region_name="us-east-1")
    creds = sts.assume_role(RoleArn=OTHER_ROLE, RoleSessionName="seed")["Credentials"]
    return boto3.client(
        "s3",
        endpoint_url=moto_url,
        region_name="us-east-1",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        config=Config(s3={"addressing_style": "path"}),
    )


async def test_onboarded_role_is_swept_in_its_own_account(
    inventory: Any, s3: Any, moto_url: str
) -> None:
    other_account_s3(moto_url).create_bucket(Bucket="theirs-bucket")
    s3.create_bucket(Bucket="ours-bucket")
    body = {
        "account_id": OTHER_ACCOUNT,
        "name": "prod",
        "role_arn": OTHER_ROLE,
        "regions": ["us-east-1", "eu-west-1"],
    }

    created = await inventory.client.post("/accounts", json=body)

    assert created.status_code == 201, created.text
    assert created.json()["account_id"] == OTHER_ACCOUNT
    listed = (await inventory.client.get("/accounts")).json()["items"]
    assert [a["account_id"] for a in listed] == [OTHER_ACCOUNT]
    again = await inventory.client.post("/accounts", json=body)
    assert again.status_code == 409
    assert again.json()["field"] == "account_id"

    sweeps = await inventory.scan(account_id=OTHER_ACCOUNT)
    assert [(s["account_id"], s["region"], s["status"]) for s in sweeps] == [
        (OTHER_ACCOUNT, "global", "succeeded")
    ]
    assets = (await inventory.client.get("/assets")).json()["items"]
    assert [(a["name"], a["account_id"]) for a in assets] == [("theirs-bucket", OTHER_ACCOUNT)]


async def test_role_of_another_account_is_rejected(inventory: Any) -> None:
    body = {"account_id": "999988887777", "name": "x", "role_arn": OTHER_ROLE}

    response = await inventory.client.post("/accounts", json=body)

    assert response.status_code == 422
    assert response.json()["field"] == "role_arn"
    assert OTHER_ACCOUNT in response.json()["detail"]
    assert (await inventory.client.get("/accounts")).json()["items"] == []


async def test_malformed_role_is_rejected_with_the_aws_error(inventory: Any) -> None:
    body = {"account_id": OTHER_ACCOUNT, "name": "x", "role_arn": "arn:aws:iam::1:role"}

    response = await inventory.client.post("/accounts", json=body)

    assert response.status_code == 422
    assert "RoleArn" in response.json()["detail"]


async def test_denied_assume_role_returns_the_aws_error(
    inventory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied(_access: Any) -> Any:
        error = {"Error": {"Code": "AccessDenied", "Message": "not authorized to sts:AssumeRole"}}
        raise ClientError(error, "AssumeRole")

    monkeypatch.setattr(inventory.runtime.aws, "session", denied)
    body = {"account_id": OTHER_ACCOUNT, "name": "x", "role_arn": OTHER_ROLE}

    response = await inventory.client.post("/accounts", json=body)

    assert response.status_code == 422
    problem = response.json()
    assert {k: problem[k] for k in ("error", "detail", "field")} == {
        "error": "RoleInvalid",
        "detail": f"cannot assume {OTHER_ROLE}: AccessDenied: not authorized to sts:AssumeRole",
        "field": "role_arn",
    }
    assert problem["type"] == "https://pacbot.dev/problems/role-invalid"


async def test_scan_rejects_unknown_types_and_accounts(inventory: Any) -> None:
    bad_type = await inventory.client.post("/scans", json={"resource_types": ["aws.s3.bukket"]})
    assert bad_type.status_code == 400
    assert bad_type.json()["field"] == "resource_types"
    assert "aws.s3.bucket" in bad_type.json()["detail"]
    unknown = await inventory.client.post("/scans", json={"account_id": "444455556666"})
    assert unknown.status_code == 404
    assert unknown.json()["field"] == "account_id"
    assert (await inventory.client.get("/scans")).json() == {
        "items": [],
        "sweeps": [],
        "next_cursor": None,
    }


async def test_default_account_setting_names_the_swept_account(
    start_inventory: Any, s3: Any
) -> None:
    s3.create_bucket(Bucket="ours-bucket")
    async with start_inventory(default_account_id="210987654321") as inventory:
        sweeps = await inventory.scan(resource_types=["aws.s3.bucket"])
        assert [(s["account_id"], s["seen"]) for s in sweeps] == [("210987654321", 1)]
        sts_account = await inventory.client.post("/scans", json={"account_id": "123456789012"})
        assert sts_account.status_code == 404
