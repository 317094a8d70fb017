"""OpenSearch adapter: a versioned index with an explicit mapping behind an alias.

``ensure()`` creates ``<alias>-v<N>`` with the alias when no index carries the alias yet.
``rebuild()`` bulk-loads a brand-new ``<alias>-v<N>-<timestamp>``, then moves the alias in
one atomic ``_aliases`` call and deletes the index it replaced: searches never see an empty
or half-built index. Writes made through this adapter while a rebuild runs go to both the
live index and the one being built, so they survive the swap.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from typing import Any

from opensearchpy import AsyncOpenSearch, NotFoundError, TransportError
from opensearchpy.helpers import async_bulk
from pydantic import SecretStr

from pacbot.common.search._base import (
    DocumentSource,
    Rebuilt,
    SearchPage,
    SearchQuery,
    SearchUnavailable,
    search_document,
)
from pacbot.common.search._os_query import (
    INDEX_VERSION,
    MAPPING,
    SETTINGS,
    parse_page,
    request_body,
)

log = logging.getLogger("pacbot.search")
ALIAS = "pacbot-assets"


class OpenSearchAssets:
    """Asset search backed by OpenSearch."""

    def __init__(
        self,
        url: str,
        *,
        alias: str = ALIAS,
        refresh: bool = False,
        username: str | None = None,
        password: SecretStr | None = None,
        ca_file: str | None = None,
        verify_certs: bool = True,
    ) -> None:
        self.url = url
        self._auth = (username, password) if username and password else None
        self._tls: dict[str, Any] = {"verify_certs": verify_certs, "ssl_show_warn": verify_certs}
        if ca_file:
            self._tls["ca_certs"] = ca_file
        self.alias = alias
        self.index_name = f"{alias}-v{INDEX_VERSION}"
        self.refresh = refresh
        self.client: AsyncOpenSearch | None = None
        self._building: str | None = None
        self._rebuild_lock = asyncio.Lock()
        self._source: DocumentSource | None = None
        self._retry_seconds = 5.0
        self._missed = 0
        """Index writes that failed so far; the catch-up is done when none failed meanwhile."""
        self._catching_up: asyncio.Task[None] | None = None

    def _client(self) -> AsyncOpenSearch:
        if self.client is None:
            raise RuntimeError("OpenSearchAssets used before start()")
        return self.client

    @property
    def _refresh(self) -> str:
        # "true" (refresh the shard now) rather than "wait_for" (up to a refresh interval):
        # the same read-your-writes guarantee, without a one-second wait on every write.
        return "true" if self.refresh else "false"

    async def start(self) -> None:
        """Connect and make sure an index with the mapping stands behind the alias."""
        auth = None
        if self._auth is not None:  # the password leaves its SecretStr only here
            auth = (self._auth[0], self._auth[1].get_secret_value())
        self.client = AsyncOpenSearch(hosts=[self.url], timeout=30, http_auth=auth, **self._tls)
        await self.ensure()

    async def stop(self) -> None:
        """Stop catching up and close the connection pool."""
        if self._catching_up is not None:
            self._catching_up.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._catching_up
            self._catching_up = None
        if self.client is not None:
            await self.client.close()
            self.client = None

    async def aliased(self) -> list[str]:
        """The concrete indices the alias points at (normally exactly one)."""
        try:
            found = await self._client().indices.get_alias(name=self.alias)
        except NotFoundError:
            return []
        return sorted(found)

    async def ensure(self) -> str:
        """The index behind the alias; creates ``<alias>-v<N>`` when there is none."""
        current = await self.aliased()
        if current:
            if not current[0].startswith(self.index_name):
                log.warning(
                    "search index %s predates mapping v%s: run `pacbot-inventory reindex`",
                    current[0],
                    INDEX_VERSION,
                )
            return current[0]
        body = {"settings": SETTINGS, "mappings": MAPPING, "aliases": {self.alias: {}}}
        await self._client().indices.create(index=self.index_name, body=body, ignore=400)
        return self.index_name

    def _targets(self) -> list[str]:
        return [self.alias] + ([self._building] if self._building else [])

    async def index(self, asset: dict[str, Any]) -> None:
        """Upsert one asset document by id."""
        await self.apply([asset], [])

    async def apply(self, upserts: Sequence[dict[str, Any]], removals: Sequence[str]) -> None:
        """Upsert and drop many documents in bulk requests (one sweep's changes)."""
        if not upserts and not removals:
            return
        actions: list[dict[str, Any]] = []
        for target in self._targets():
            for asset in upserts:
                doc = search_document(asset)
                actions.append({"_index": target, "_id": doc["asset_id"], "_source": doc})
            actions.extend(
                {"_op_type": "delete", "_index": target, "_id": asset_id} for asset_id in removals
            )
        try:
            _, errors = await async_bulk(
                self._client(), actions, chunk_size=500, raise_on_error=False, refresh=self._refresh
            )
        except Exception:
            self._fell_behind()
            raise
        # Deleting a document that is not there is fine; any other failure is not.
        failed = [e for e in errors if not _missing_delete(e)]  # type: ignore[union-attr]
        if failed:
            self._fell_behind()
            raise RuntimeError(
                f"search index update failed for {len(failed)} documents: {failed[0]}"
            )

    def keep_up(self, source: DocumentSource, retry_seconds: float = 5) -> None:
        """After an index write fails, rebuild the index from ``source`` once OpenSearch
        answers again (every ``retry_seconds``), until a rebuild ran with no write failing
        meanwhile: the index catches up by itself."""
        self._source, self._retry_seconds = source, retry_seconds

    @property
    def behind(self) -> bool:
        """True while a failed write waits for the catch-up."""
        return self._catching_up is not None and not self._catching_up.done()

    def _fell_behind(self) -> None:
        self._missed += 1
        if self._source is not None and not self.behind:
            self._catching_up = asyncio.create_task(self._catch_up(self._source))

    async def _catch_up(self, source: DocumentSource) -> None:
        while True:
            await asyncio.sleep(self._retry_seconds)
            if not await self.ping():
                continue
            missed = self._missed
            try:
                rebuilt = await self.rebuild(source())
            except Exception as exc:
                log.warning("search catch-up failed, retrying", extra={"error": repr(exc)})
                continue
            if self._missed == missed:
                log.info("search index caught up", extra={"indexed": rebuilt.indexed})
                return

    async def remove(self, asset_id: str) -> None:
        """Drop an asset document; a missing one is fine."""
        await self.apply([], [asset_id])

    async def rebuild(self, assets: AsyncIterable[dict[str, Any]]) -> Rebuilt:
        """Index ``assets`` into a new versioned index, then swap the alias onto it."""
        async with self._rebuild_lock:
            return await self._rebuild(assets)

    async def _rebuild(self, assets: AsyncIterable[dict[str, Any]]) -> Rebuilt:
        client = self._client()
        new = f"{self.index_name}-{time.time_ns() // 1000}"
        settings = {**SETTINGS, "refresh_interval": "-1"}
        await client.indices.create(index=new, body={"settings": settings, "mappings": MAPPING})

        async def actions() -> AsyncIterator[dict[str, Any]]:
            async for asset in assets:
                doc = search_document(asset)
                yield {"_index": new, "_id": doc["asset_id"], "_source": doc}

        self._building = new
        try:
            indexed, _errors = await async_bulk(client, actions(), chunk_size=500)
            await client.indices.put_settings(index=new, body={"index": {"refresh_interval": "1s"}})
            await client.indices.refresh(index=new)
            old = await self.aliased()
            swap = [{"remove": {"index": name, "alias": self.alias}} for name in old]
            swap.append({"add": {"index": new, "alias": self.alias}})
            await client.indices.update_aliases(body={"actions": swap})
        except BaseException:
            await client.indices.delete(index=new, ignore=[404])
            raise
        finally:
            self._building = None
        for name in old:
            await client.indices.delete(index=name, ignore=[404])
        log.info("search index rebuilt", extra={"index": new, "indexed": indexed})
        return Rebuilt(indexed=int(indexed), index=new)

    async def search(self, query: SearchQuery) -> SearchPage:
        """Full-text over name, id and tags; exact filters; sorted; facet counts.

        Raises :class:`SearchUnavailable` when OpenSearch cannot answer (down, unreachable,
        or failing on its side)."""
        try:
            result = await self._client().search(index=self.alias, body=request_body(query))
        except TransportError as exc:
            status = exc.status_code if isinstance(exc.status_code, int) else None
            if status is not None and status < 500:
                raise
            raise SearchUnavailable(f"OpenSearch does not answer: {exc.error}") from exc
        return parse_page(query, result)

    async def ping(self) -> bool:
        """True when the cluster answers."""
        try:
            return bool(await self._client().ping())
        except Exception:
            return False


def _missing_delete(error: Any) -> bool:
    """True for a bulk item that only says the document to delete did not exist."""
    item = error.get("delete") if isinstance(error, dict) else None
    return isinstance(item, dict) and item.get("status") == 404
