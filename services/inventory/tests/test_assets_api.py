"""The /assets surface: list, one asset, search on the database fallback, and replay."""

from __future__ import annotations

from typing import Any

from pacbot.common.events import AssetUpserted


def seed(s3: Any) -> None:
    """Three buckets: two tagged for team-a (one in eu-west-1), one untagged."""
    s3.create_bucket(Bucket="alpha-logs")
    s3.put_bucket_tagging(
        Bucket="alpha-logs", Tagging={"TagSet": [{"Key": "Owner", "Value": "team-a"}]}
    )
    s3.create_bucket(
        Bucket="alpha-data", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    s3.put_bucket_tagging(
        Bucket="alpha-data",
        Tagging={"TagSet": [{"Key": "owner", "Value": "team-a"}, {"Key": "env", "Value": "dev"}]},
    )
    s3.create_bucket(Bucket="beta-site")


async def test_list_filters_and_pages(inventory: Any, s3: Any) -> None:
    seed(s3)
    await inventory.scan()

    everything = (await inventory.client.get("/assets")).json()
    assert everything["total"] == 3
    assert [a["name"] for a in everything["items"]] == ["alpha-data", "alpha-logs", "beta-site"]
    assert set(everything["items"][0]) == {
        "asset_id",
        "account_id",
        "region",
        "resource_type",
        "name",
        "tags",
        "owner",
        "version",
        "config",
        "config_hash",
        "deleted",
        "first_seen",
        "last_seen",
    }
    eu = (await inventory.client.get("/assets", params={"region": "eu-west-1"})).json()
    assert [a["name"] for a in eu["items"]] == ["alpha-data"]
    assert eu["items"][0]["owner"] == "team-a"
    page = (await inventory.client.get("/assets", params={"limit": 1, "offset": 1})).json()
    assert (page["total"], [a["name"] for a in page["items"]]) == (3, ["alpha-logs"])
    other = await inventory.client.get("/assets", params={"resource_type": "aws.ec2.instance"})
    assert other.json() == {"items": [], "total": 0, "next_cursor": None}
    assert (await inventory.client.get("/assets", params={"limit": 0})).status_code == 422


async def test_one_asset_by_arn_and_unknown_is_404(inventory: Any, s3: Any) -> None:
    seed(s3)
    await inventory.scan()

    found = await inventory.client.get("/assets/arn:aws:s3:::beta-site")
    assert found.status_code == 200
    assert found.json()["name"] == "beta-site"
    missing = await inventory.client.get("/assets/arn:aws:s3:::nope")
    assert missing.status_code == 404
    assert missing.json()["error"] == "NotFound"
    assert "nope" in missing.json()["detail"]


async def test_search_on_the_database_fallback(inventory: Any, s3: Any) -> None:
    seed(s3)
    await inventory.scan()
    search = inventory.client.get

    alpha = (await search("/assets/search", params={"q": "alpha"})).json()
    assert alpha["total"] == 2
    assert sorted(i["name"] for i in alpha["items"]) == ["alpha-data", "alpha-logs"]
    assert alpha["facets"]["region"] == {"us-east-1": 1, "eu-west-1": 1}
    assert alpha["facets"]["resource_type"] == {"aws.s3.bucket": 2}
    tagged = (await search("/assets/search", params={"tag": "env=dev"})).json()
    assert [i["name"] for i in tagged["items"]] == ["alpha-data"]
    regional = (await search("/assets/search", params={"region": "us-east-1"})).json()
    assert regional["total"] == 2
    bad = await search("/assets/search", params={"tag": "env"})
    assert bad.status_code == 400
    assert bad.json()["field"] == "tag"

    s3.delete_bucket(Bucket="alpha-logs")
    await inventory.scan()
    after = (await search("/assets/search", params={"q": "alpha"})).json()
    assert [i["name"] for i in after["items"]] == ["alpha-data"]


async def test_replay_re_emits_current_assets_with_the_same_version(
    inventory: Any, s3: Any
) -> None:
    seed(s3)
    await inventory.scan()
    s3.delete_bucket(Bucket="beta-site")
    await inventory.scan()
    before = len(await inventory.events())

    body = {"resource_types": ["aws.s3.bucket"]}
    response = await inventory.client.post("/assets/replay", json=body)

    assert response.status_code == 200
    assert response.json() == {"replayed": 2}
    events = await inventory.events()
    replayed = [e.payload_as(AssetUpserted) for e in events if e.data.get("replay")]
    assert sorted(r.asset.name for r in replayed) == ["alpha-data", "alpha-logs"]
    assert all(r.replay and r.version == 1 for r in replayed)
    assert len(events) == before + 2

    none = await inventory.client.post("/assets/replay", json={"resource_types": ["aws.ec2.vpc"]})
    assert none.json() == {"replayed": 0}
    everything = await inventory.client.post("/assets/replay")
    assert everything.json() == {"replayed": 2}
