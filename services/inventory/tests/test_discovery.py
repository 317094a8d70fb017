"""S3 discovery end to end against moto: config documents, versions, events, deletes, failures."""

from __future__ import annotations

import json
from typing import Any

from pacbot.common.events import AssetDeleted, AssetUpserted, Envelope

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
OWN_ACCOUNT = "123456789012"


def public_read_policy(bucket: str) -> str:
    """A bucket policy that lets anyone read objects."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PublicRead",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                }
            ],
        }
    )


def seed(s3: Any) -> None:
    """A public-read bucket in us-east-1 and a private, encrypted, tagged one in eu-west-1."""
    s3.create_bucket(Bucket="open-bucket")
    s3.put_bucket_acl(Bucket="open-bucket", ACL="public-read")
    s3.create_bucket(
        Bucket="vault-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    s3.put_public_access_block(
        Bucket="vault-bucket",
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket="vault-bucket",
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                    "BucketKeyEnabled": False,
                }
            ]
        },
    )
    s3.put_bucket_tagging(
        Bucket="vault-bucket",
        Tagging={
            "TagSet": [
                {"Key": "Owner", "Value": "team-a@example.com"},
                {"Key": "env", "Value": "prod"},
            ]
        },
    )


def of(events: list[Envelope], name: str, kind: str = "upserted") -> list[Envelope]:
    """The events of one bucket and kind, in publish order (one key stays in one partition)."""
    return [
        e
        for e in events
        if e.subject == f"arn:aws:s3:::{name}" and e.type == f"pacbot.asset.{kind}"
    ]


async def asset(inventory: Any, name: str) -> dict[str, Any]:
    response = await inventory.client.get(f"/assets/arn:aws:s3:::{name}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_first_sweep_produces_the_contract_config_documents(inventory: Any, s3: Any) -> None:
    seed(s3)

    sweeps = await inventory.scan()

    assert [(s["account_id"], s["region"], s["resource_type"], s["status"]) for s in sweeps] == [
        (OWN_ACCOUNT, "global", "aws.s3.bucket", "succeeded")
    ]
    assert (sweeps[0]["seen"], sweeps[0]["upserted"], sweeps[0]["deleted"]) == (2, 2, 0)
    assert sweeps[0]["error"] is None
    assert sweeps[0]["finished_at"] is not None

    public = await asset(inventory, "open-bucket")
    owner_id = public["config"]["Acl"]["Owner"]["ID"]
    assert public["config"] == {
        "Name": "open-bucket",
        "Arn": "arn:aws:s3:::open-bucket",
        "Region": "us-east-1",
        "CreationDate": public["config"]["CreationDate"],
        "Acl": {
            "Owner": {"ID": owner_id},
            "Grants": sorted(
                [
                    {
                        "Grantee": {"Type": "CanonicalUser", "ID": owner_id},
                        "Permission": "FULL_CONTROL",
                    },
                    {"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "READ"},
                ],
                key=lambda g: json.dumps(g, sort_keys=True),
            ),
        },
        "PublicAclGrants": ["READ"],
        "Policy": None,
        "PolicyStatus": None,
        "PublicAccessBlock": None,
        "Encryption": None,
        "Versioning": {"Status": None, "MFADelete": None},
        "Logging": None,
        "Lifecycle": None,
        "Tags": {},
    }
    assert public["config"]["CreationDate"].endswith("Z")
    assert (public["region"], public["owner"], public["version"]) == ("us-east-1", None, 1)

    private = await asset(inventory, "vault-bucket")
    assert private["region"] == "eu-west-1"
    assert private["account_id"] == OWN_ACCOUNT
    assert private["owner"] == "team-a@example.com"
    assert private["tags"] == {"Owner": "team-a@example.com", "env": "prod"}
    config = private["config"]
    assert config["Region"] == "eu-west-1"
    assert config["PublicAclGrants"] == []
    assert config["PublicAccessBlock"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    assert config["Encryption"] == {
        "Rules": [
            {
                "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                "BucketKeyEnabled": False,
            }
        ]
    }
    assert config["Tags"] == {"Owner": "team-a@example.com", "env": "prod"}

    events = await inventory.events()
    subjects = sorted(e.subject for e in events)
    assert subjects == ["arn:aws:s3:::open-bucket", "arn:aws:s3:::vault-bucket"]
    upserts = [e.payload_as(AssetUpserted) for e in events]
    assert all(u.version == 1 and not u.replay for u in upserts)
    vault = next(u for u in upserts if u.asset.name == "vault-bucket")
    assert vault.config == config
    assert vault.config_hash == private["config_hash"]
    assert vault.asset.owner == "team-a@example.com"
    assert vault.asset.region == "eu-west-1"
    keys = {m.key for m in inventory.bus.messages("pacbot.assets.v1")}
    assert keys == {"arn:aws:s3:::open-bucket", "arn:aws:s3:::vault-bucket"}


async def test_unchanged_sweep_emits_nothing_and_only_touches_last_seen(
    inventory: Any, s3: Any
) -> None:
    seed(s3)
    await inventory.scan()
    first = await asset(inventory, "vault-bucket")
    before = len(await inventory.events())

    sweeps = await inventory.scan()

    assert (sweeps[0]["seen"], sweeps[0]["upserted"], sweeps[0]["deleted"]) == (2, 0, 0)
    assert len(await inventory.events()) == before == 2
    again = await asset(inventory, "vault-bucket")
    assert again["version"] == 1
    assert again["config_hash"] == first["config_hash"]
    assert again["last_seen"] > first["last_seen"]
    assert again["first_seen"] == first["first_seen"]


async def test_config_change_bumps_version_and_emits_upserted(inventory: Any, s3: Any) -> None:
    seed(s3)
    await inventory.scan()
    s3.put_bucket_policy(Bucket="vault-bucket", Policy=public_read_policy("vault-bucket"))

    sweeps = await inventory.scan()

    assert (sweeps[0]["upserted"], sweeps[0]["deleted"]) == (1, 0)
    changed = await asset(inventory, "vault-bucket")
    assert changed["version"] == 2
    assert changed["config"]["Policy"] == json.loads(public_read_policy("vault-bucket"))
    assert changed["config"]["PolicyStatus"] == {"IsPublic": True}
    last = of(await inventory.events(), "vault-bucket")[-1].payload_as(AssetUpserted)
    assert (last.asset.asset_id, last.version) == ("arn:aws:s3:::vault-bucket", 2)
    assert last.config_hash == changed["config_hash"]
    assert (await asset(inventory, "open-bucket"))["version"] == 1


async def test_deleted_bucket_emits_asset_deleted_after_a_successful_sweep(
    inventory: Any, s3: Any
) -> None:
    seed(s3)
    await inventory.scan()
    s3.delete_bucket(Bucket="open-bucket")

    sweeps = await inventory.scan()

    assert (sweeps[0]["status"], sweeps[0]["seen"], sweeps[0]["deleted"]) == ("succeeded", 1, 1)
    events = await inventory.events()
    deletions = of(events, "open-bucket", "deleted")
    assert len(deletions) == 1
    assert len(events) == 3
    gone = deletions[0].payload_as(AssetDeleted)
    assert (gone.asset.asset_id, gone.version) == ("arn:aws:s3:::open-bucket", 2)
    stored = await asset(inventory, "open-bucket")
    assert stored["deleted"] is True
    assert stored["version"] == 2
    listed = (await inventory.client.get("/assets")).json()
    assert [a["name"] for a in listed["items"]] == ["vault-bucket"]

    await inventory.scan()
    assert len(await inventory.events()) == len(events), "a deletion is emitted once"


async def test_recreated_bucket_comes_back_with_a_new_version(inventory: Any, s3: Any) -> None:
    seed(s3)
    await inventory.scan()
    s3.delete_bucket(Bucket="open-bucket")
    await inventory.scan()
    s3.create_bucket(Bucket="open-bucket")

    await inventory.scan()

    back = await asset(inventory, "open-bucket")
    assert (back["deleted"], back["version"], back["config"]["PublicAclGrants"]) == (False, 3, [])
    history = of(await inventory.events(), "open-bucket", "upserted")
    assert [e.payload_as(AssetUpserted).version for e in history] == [1, 3]
