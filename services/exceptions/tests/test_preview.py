"""``POST /exceptions/preview`` against the real violations service, fed evaluations in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from pacbot.common.bus import MemoryBus
from pacbot.common.events import (
    EVALUATIONS_TOPIC,
    AssetEvaluated,
    AssetSummary,
    Envelope,
    PolicyRef,
    PolicyResult,
)
from pacbot.common.runtime import SharedInfra
from pacbot.common.testing import eventually, signed_client
from pacbot.violations.app import create_app as violations_app
from pacbot.violations.settings import ViolationsSettings
from services.exceptions.tests.conftest import Transports, running, settings_for
from services.exceptions.tests.kit import PUBLIC, QUEUE_DLQ, resource_body, sticky_body

pytestmark = pytest.mark.asyncio(loop_scope="module")

POLICIES = {
    PUBLIC: PolicyRef(policy_id=PUBLIC, name="public", severity="critical", category="security"),
    QUEUE_DLQ: PolicyRef(policy_id=QUEUE_DLQ, name="dlq", severity="low", category="operations"),
}
# name, account, resource type, tags, failing policies
ESTATE = [
    ("sbx-web", "111111111111", "aws.s3.bucket", {"env": "sandbox"}, [PUBLIC]),
    ("sbx-data", "111111111111", "aws.s3.bucket", {"env": "dev"}, [PUBLIC]),
    ("prod-web", "111111111111", "aws.s3.bucket", {"env": "prod"}, [PUBLIC]),
    ("sbx-other", "222222222222", "aws.s3.bucket", {"env": "sandbox"}, [PUBLIC]),
    ("sbx-jobs", "111111111111", "aws.sqs.queue", {"env": "sandbox"}, [QUEUE_DLQ]),
]


def _asset(name: str, account: str, resource_type: str, tags: dict[str, str]) -> AssetSummary:
    prefix = "arn:aws:s3:::" if resource_type == "aws.s3.bucket" else "arn:aws:sqs:eu-west-1:1:"
    return AssetSummary(
        asset_id=prefix + name,
        account_id=account,
        region="eu-west-1",
        resource_type=resource_type,
        name=name,
        tags=tags,
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def with_violations(
    tmp_path_factory: pytest.TempPathFactory, peers: Transports
) -> AsyncIterator[Transports]:
    """The assessor and inventory plus a real violations service holding ESTATE's open ones."""
    folder = tmp_path_factory.mktemp("violations")
    bus = MemoryBus()
    settings = ViolationsSettings(
        database_url=f"sqlite+aiosqlite:///{folder}/v.db", bus="memory", log_json=False
    )
    app = violations_app(settings, shared=SharedInfra(bus=bus))
    async with app.router.lifespan_context(app):
        await bus.start()
        try:
            for name, account, resource_type, tags, failing in ESTATE:
                asset = _asset(name, account, resource_type, tags)
                event = AssetEvaluated(
                    asset=asset,
                    asset_version=1,
                    evaluated_at=datetime.now(UTC),
                    results=[
                        PolicyResult(policy=POLICIES[p], status="fail", reason="bad")
                        for p in failing
                    ],
                )
                envelope = Envelope.wrap(event, source="test", subject=asset.asset_id)
                await bus.publish(EVALUATIONS_TOPIC, envelope, key=asset.asset_id)
            transport = httpx.ASGITransport(app)
            async with signed_client(app, "http://v") as client:

                async def all_open() -> bool:
                    listed = await client.get("/violations", params={"status": "open"})
                    return listed.json()["total"] == len(ESTATE)

                await eventually(all_open, timeout=10, what="the estate's open violations")
            yield {**peers, "violations": transport}
        finally:
            await bus.stop()


async def _names(client: httpx.AsyncClient, body: dict[str, object], **params: int) -> list[str]:
    response = await client.post("/exceptions/preview", json=body, params=params)
    assert response.status_code == 200, response.text
    return sorted(item["asset_name"] for item in response.json()["items"])


async def test_preview_lists_what_would_be_exempt_and_keeps_nothing(
    tmp_path: Path, bus: MemoryBus, with_violations: Transports
) -> None:
    async with running(settings_for(tmp_path), bus, with_violations) as (_, client):
        sandbox = sticky_body({"accounts": ["111111111111"], "tags": {"env": ["sandbox", "dev"]}})
        assert await _names(client, sandbox) == ["sbx-data", "sbx-web"]
        every_policy = sticky_body({"tags": {"env": "sandbox"}}, policy_ids=["*"])
        assert await _names(client, every_policy) == ["sbx-jobs", "sbx-other", "sbx-web"]
        by_name = sticky_body({"name_patterns": ["sbx-w*", "arn:aws:s3:::prod-*"]})
        assert await _names(client, by_name) == ["prod-web", "sbx-web"]
        one = resource_body(asset_ids=["arn:aws:s3:::prod-web", "arn:aws:s3:::gone"])
        assert await _names(client, one) == ["prod-web"]

        capped = await client.post("/exceptions/preview", json=every_policy, params={"limit": 2})
        assert len(capped.json()["items"]) == 2
        assert capped.json()["truncated"] is True
        assert (await client.get("/exceptions")).json()["total"] == 0
        invalid = await client.post("/exceptions/preview", json=sticky_body({}))
        assert invalid.status_code == 422
        assert invalid.json()["field"] == "criteria"


async def test_preview_without_violations_service_is_503(
    tmp_path: Path, bus: MemoryBus, peers: Transports
) -> None:
    down = httpx.MockTransport(lambda _request: httpx.Response(503, text="starting"))
    async with running(settings_for(tmp_path), bus, {**peers, "violations": down}) as (_, client):
        response = await client.post("/exceptions/preview", json=resource_body())
        assert response.status_code == 503
        assert "violations" in response.json()["detail"]
