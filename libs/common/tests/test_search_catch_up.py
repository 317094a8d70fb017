"""OpenSearch down for a while: searches fail with SearchUnavailable, writes fail loudly, and
once it answers again the index is rebuilt from the source of truth by itself."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from opensearchpy import AsyncOpenSearch, ConnectionError

from pacbot.cli.devstack import StackInfo
from pacbot.common.search import OpenSearchAssets, SearchQuery, SearchUnavailable

pytestmark = pytest.mark.real


def _doc(n: int) -> dict[str, Any]:
    return {
        "asset_id": f"arn:aws:s3:::bucket-{n}",
        "account_id": "123456789012",
        "region": "us-east-1",
        "resource_type": "aws.s3.bucket",
        "name": f"bucket-{n}",
        "tags": {},
        "deleted": False,
        "version": 1,
        "updated_at": "2026-01-01T00:00:00+00:00",
    }


def _dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


async def test_the_index_catches_up_after_an_outage(stack: StackInfo, unique: str) -> None:
    truth = [_doc(n) for n in range(30)]
    reads = 0

    async def source() -> AsyncIterator[dict[str, Any]]:
        nonlocal reads
        reads += 1
        for doc in truth:
            yield doc

    backend = OpenSearchAssets(stack.opensearch_url, alias=f"catch-up-{unique}", refresh=True)
    await backend.start()
    live = backend.client
    try:
        backend.keep_up(source, retry_seconds=0.2)
        await backend.apply(truth[:10], [])
        # OpenSearch goes away: every call now meets a closed port
        backend.client = AsyncOpenSearch(hosts=[_dead_url()], timeout=2, max_retries=0)
        with pytest.raises(SearchUnavailable, match="does not answer"):
            await backend.search(SearchQuery())
        with pytest.raises(ConnectionError):
            await backend.apply(truth[10:], [])
        assert backend.behind
        await asyncio.sleep(1)
        assert backend.behind  # still down: nothing rebuilt, nothing lost
        assert reads == 0
        dead, backend.client = backend.client, live
        await dead.close()
        for _ in range(100):
            if not backend.behind:
                break
            await asyncio.sleep(0.1)
        assert not backend.behind
        assert reads == 1
        page = await backend.search(SearchQuery(size=100))
        assert sorted(item["asset_id"] for item in page.items) == sorted(
            d["asset_id"] for d in truth
        )
    finally:
        backend.client = live
        assert live is not None
        await live.indices.delete(index=f"{backend.alias}-*", ignore=[404])
        await backend.stop()


async def test_without_a_source_a_failed_write_only_raises(stack: StackInfo, unique: str) -> None:
    backend = OpenSearchAssets(stack.opensearch_url, alias=f"no-source-{unique}", refresh=True)
    await backend.start()
    live = backend.client
    try:
        backend.client = AsyncOpenSearch(hosts=[_dead_url()], timeout=2, max_retries=0)
        with pytest.raises(ConnectionError):
            await backend.apply([_doc(1)], [])
        assert not backend.behind
        await backend.client.close()
    finally:
        backend.client = live
        assert live is not None
        await live.indices.delete(index=f"{backend.alias}-*", ignore=[404])
        await backend.stop()
