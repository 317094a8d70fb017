"""Each asset keeps a bounded history of what changed in which version."""

from __future__ import annotations

from typing import Any

from pacbot.inventory.history.diff import config_diff


def test_diff_names_added_removed_and_changed_paths() -> None:
    old = {"Acl": {"Grants": [1, 2]}, "Tags": {"a": "1"}, "Gone": True}
    new = {"Acl": {"Grants": [1, 3]}, "Tags": {"a": "2", "b": "x"}}
    assert config_diff(old, new) == [
        {"path": "Acl.Grants[1]", "op": "changed", "old": 2, "new": 3},
        {"path": "Gone", "op": "removed", "old": True},
        {"path": "Tags.a", "op": "changed", "old": "1", "new": "2"},
        {"path": "Tags.b", "op": "added", "new": "x"},
    ]


async def test_history_records_create_change_and_delete(inventory: Any, s3: Any) -> None:
    s3.create_bucket(Bucket="history-bucket")
    await inventory.scan()
    s3.put_bucket_acl(Bucket="history-bucket", ACL="public-read")
    await inventory.scan()
    await inventory.scan()  # unchanged: no new entry
    s3.delete_bucket(Bucket="history-bucket")
    await inventory.scan()

    response = await inventory.client.get("/assets/arn:aws:s3:::history-bucket/history")
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [(i["version"], i["change_type"]) for i in items] == [
        (3, "deleted"),
        (2, "updated"),
        (1, "created"),
    ]
    changed_paths = {c["path"] for c in items[1]["changes"]}
    assert "PublicAclGrants[0]" in changed_paths or "PublicAclGrants" in changed_paths


async def test_history_is_bounded(inventory: Any, s3: Any, monkeypatch: Any) -> None:
    from pacbot.inventory.history import repository

    monkeypatch.setattr(repository, "KEEP_PER_ASSET", 3)
    s3.create_bucket(Bucket="busy-bucket")
    for i in range(repository.KEEP_PER_ASSET + 5):
        s3.put_bucket_tagging(
            Bucket="busy-bucket", Tagging={"TagSet": [{"Key": "n", "Value": str(i)}]}
        )
        await inventory.scan()
    items = (await inventory.client.get("/assets/arn:aws:s3:::busy-bucket/history")).json()["items"]
    assert len(items) == repository.KEEP_PER_ASSET
    assert items[0]["version"] == repository.KEEP_PER_ASSET + 5


async def test_history_of_an_unknown_asset_is_404(inventory: Any) -> None:
    response = await inventory.client.get("/assets/arn:aws:s3:::nope/history")
    assert response.status_code == 404
    assert response.json()["field"] == "asset_id"
