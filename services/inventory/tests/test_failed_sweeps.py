"""A sweep that fails deletes nothing, emits nothing and is recorded with the AWS error."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from pacbot.inventory.connectors import ConnectorRegistry, DiscoveredAsset, Scope
from pacbot.inventory.connectors.s3 import S3BucketConnector
from services.inventory.tests.conftest import registry_of

ACCESS_DENIED = {"Error": {"Code": "AccessDenied", "Message": "not authorized to s3:GetBucketAcl"}}


def registry_with(connector_cls: type[S3BucketConnector]) -> ConnectorRegistry:
    """A registry whose aws.s3.bucket connector is ``connector_cls``."""
    return registry_of(connector_cls)


class DeniedOnOneBucket(S3BucketConnector):
    """Lists every bucket but is denied reading one of them, as a partial IAM policy would."""

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        if resource["Name"] == "bucket-two":
            raise ClientError(ACCESS_DENIED, "GetBucketAcl")
        return super().describe(scope, resource)


class ThrottledListing(S3BucketConnector):
    """Cannot even list."""

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        error = {"Error": {"Code": "SlowDown", "Message": "Please reduce your request rate."}}
        raise ClientError(error, "ListBuckets")


async def test_partial_failure_deletes_nothing_and_records_the_error(
    start_inventory: Any, s3: Any
) -> None:
    for name in ("bucket-one", "bucket-two", "bucket-three"):
        s3.create_bucket(Bucket=name)
    async with start_inventory() as inventory:
        await inventory.scan()
        emitted = len(await inventory.events())
    s3.delete_bucket(Bucket="bucket-three")
    s3.put_bucket_acl(Bucket="bucket-one", ACL="public-read")

    async with start_inventory(registry=registry_with(DeniedOnOneBucket)) as inventory:
        sweeps = await inventory.scan()

        assert sweeps[0]["status"] == "failed"
        assert sweeps[0]["error"] == "AccessDenied: not authorized to s3:GetBucketAcl"
        assert (sweeps[0]["upserted"], sweeps[0]["deleted"]) == (0, 0)
        assert len(await inventory.events()) == emitted == 3
        listed = (await inventory.client.get("/assets")).json()
        assert {a["name"] for a in listed["items"]} == {"bucket-one", "bucket-two", "bucket-three"}
        assert all(a["version"] == 1 and not a["deleted"] for a in listed["items"])
        recorded = (await inventory.client.get("/scans", params={"status": "failed"})).json()
        assert [s["sweep_id"] for s in recorded["sweeps"]] == [sweeps[0]["sweep_id"]]
        assert recorded["sweeps"][0]["error"].startswith("AccessDenied")

    async with start_inventory() as inventory:
        sweeps = await inventory.scan()
        assert (sweeps[0]["status"], sweeps[0]["upserted"], sweeps[0]["deleted"]) == (
            "succeeded",
            1,
            1,
        )


async def test_failed_listing_is_recorded_failed(start_inventory: Any, s3: Any) -> None:
    s3.create_bucket(Bucket="bucket-one")
    async with start_inventory() as inventory:
        await inventory.scan()
    async with start_inventory(registry=registry_with(ThrottledListing)) as inventory:
        sweeps = await inventory.scan()
        assert (sweeps[0]["status"], sweeps[0]["seen"]) == ("failed", 0)
        assert sweeps[0]["error"] == "SlowDown: Please reduce your request rate."
        one = (await inventory.client.get("/assets/arn:aws:s3:::bucket-one")).json()
        assert one["deleted"] is False
        everything = (await inventory.client.get("/scans")).json()["sweeps"]
        assert [s["status"] for s in everything] == ["failed", "succeeded"]
