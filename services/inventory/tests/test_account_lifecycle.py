"""Accounts: disable, re-validate, organization import, and one broken account among good ones."""

from __future__ import annotations

from typing import Any

import boto3
from sqlalchemy import update

from pacbot.common.events import utcnow
from pacbot.inventory.models import Account

OWN = "123456789012"
OTHER = "111122223333"


async def test_disabled_account_is_not_swept_and_can_be_enabled(inventory: Any, s3: Any) -> None:
    s3.create_bucket(Bucket="toggle-bucket")
    body = {"account_id": OTHER, "name": "prod", "role_arn": f"arn:aws:iam::{OTHER}:role/r"}
    created = await inventory.client.post("/accounts", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "valid"
    assert created.json()["enabled"] is True

    off = await inventory.client.patch(f"/accounts/{OTHER}", json={"enabled": False})
    assert off.json()["enabled"] is False
    assert await inventory.scan() == []
    refused = await inventory.client.post("/scans", json={"account_id": OTHER})
    assert refused.status_code == 409
    assert refused.json()["field"] == "account_id"

    await inventory.client.patch(f"/accounts/{OTHER}", json={"enabled": True})
    assert {s["account_id"] for s in await inventory.scan()} == {OTHER}


async def test_revalidation_records_why_an_account_became_invalid(inventory: Any) -> None:
    body = {"account_id": OTHER, "name": "prod", "role_arn": f"arn:aws:iam::{OTHER}:role/r"}
    await inventory.client.post("/accounts", json=body)
    async with inventory.runtime.db.session() as session:
        await session.execute(
            update(Account).where(Account.account_id == OTHER).values(role_arn="not-an-arn")
        )

    checked = (await inventory.client.post(f"/accounts/{OTHER}/validate")).json()

    assert checked["status"] == "invalid"
    assert "not-an-arn" in checked["validation_error"]
    assert (await inventory.client.post("/accounts/999999999999/validate")).status_code == 404


async def test_a_broken_account_fails_on_record_and_the_others_complete(
    inventory: Any, s3: Any
) -> None:
    s3.create_bucket(Bucket="good-account-bucket")
    async with inventory.runtime.db.session() as session:
        for account_id, role in ((OWN, None), (OTHER, "not-an-arn")):
            session.add(
                Account(
                    account_id=account_id,
                    name=account_id,
                    role_arn=role,
                    external_id=None,
                    regions=["us-east-1"],
                    created_at=utcnow(),
                    enabled=True,
                    status="valid",
                    source="manual",
                )
            )

    sweeps = {s["account_id"]: s for s in await inventory.scan()}

    assert sweeps[OWN]["status"] == "succeeded"
    assert sweeps[OWN]["seen"] == 1
    assert sweeps[OTHER]["status"] == "failed"
    assert "not-an-arn" in sweeps[OTHER]["error"] or "ValidationError" in sweeps[OTHER]["error"]


async def test_organization_members_are_onboarded_through_one_role(
    inventory: Any, moto_url: str
) -> None:
    org = boto3.client("organizations", endpoint_url=moto_url, region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    member = org.create_account(AccountName="team-a", Email="a@example.com")
    member_id = member["CreateAccountStatus"]["AccountId"]

    result = await inventory.client.post(
        "/accounts/organization", json={"role_name": "PacBotRead", "regions": ["us-east-1"]}
    )

    assert result.status_code == 200, result.text
    body = result.json()
    assert set(body["onboarded"]) == {OWN, member_id}
    assert body["failed"] == []
    accounts = {
        a["account_id"]: a for a in (await inventory.client.get("/accounts")).json()["items"]
    }
    assert accounts[member_id]["role_arn"] == f"arn:aws:iam::{member_id}:role/PacBotRead"
    assert accounts[member_id]["source"] == "organizations"
    assert accounts[OWN]["role_arn"] is None
    again = (await inventory.client.post("/accounts/organization", json={"role_name": "x"})).json()
    assert set(again["already_onboarded"]) == {OWN, member_id}


async def test_organization_import_needs_an_organization(inventory: Any) -> None:
    response = await inventory.client.post("/accounts/organization", json={"role_name": "R"})
    assert response.status_code == 422
    assert "cannot list the organization" in response.json()["detail"]
    bad = await inventory.client.post("/accounts/organization", json={"role_name": "bad name!"})
    assert bad.status_code == 422


async def test_the_external_id_is_write_only(inventory: Any) -> None:
    secret = "ext-shared-secret-7731"
    role = f"arn:aws:iam::{OTHER}:role/r"
    body = {"account_id": OTHER, "name": "prod", "role_arn": role, "external_id": secret}
    client = inventory.client
    created = await client.post("/accounts", json=body)
    assert created.status_code == 201, created.text
    own = await client.post("/accounts", json={"account_id": OWN, "name": "own"})
    assert own.status_code == 201, own.text

    answers = [
        created,
        await client.get("/accounts"),
        await client.get(f"/accounts/{OTHER}"),
        await client.patch(f"/accounts/{OTHER}", json={"name": "production"}),
        await client.post(f"/accounts/{OTHER}/validate"),
    ]
    for answer in answers:
        assert answer.status_code in (200, 201), answer.text
        assert secret not in answer.text
        assert '"external_id"' not in answer.text
    listed = {a["account_id"]: a for a in answers[1].json()["items"]}
    assert listed[OTHER]["has_external_id"] is True
    assert listed[OWN]["has_external_id"] is False
    assert answers[-1].json()["has_external_id"] is True
    async with inventory.runtime.db.session() as session:
        stored = await session.get(Account, OTHER)
    assert stored is not None
    assert stored.external_id == secret  # still used to assume the role
