"""Which policies judge each control of a framework: the assessor's ``GET /frameworks/{id}``,
asked over HTTP (every page) and kept :data:`MAPPING_TTL_SECONDS`."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import quote

import httpx
from fastapi import Request
from pydantic import ValidationError

from pacbot.common.frameworks import FrameworkDetail
from pacbot.common.paging import MAX_LIMIT
from pacbot.common.runtime import Runtime
from pacbot.common.web import DomainError, NotFound

MAPPING_TTL_SECONDS = 30.0
"""How long the assessor's mapping of a framework is reused (policy packs change on deploy)."""


class AssessorUnavailable(DomainError):
    """The assessor cannot say which policies judge the framework now (503, retry later)."""

    status_code = 503


class FrameworkMappings:
    """The assessor's framework mappings, each fetched at most once per ``ttl`` seconds."""

    def __init__(
        self, ttl: float = MAPPING_TTL_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self._clock = clock
        self._kept: dict[str, tuple[float, FrameworkDetail]] = {}

    async def get(self, runtime: Runtime, framework_id: str) -> FrameworkDetail:
        """The mapping of ``framework_id`` (404 unknown, 503 when the assessor cannot answer)."""
        kept = self._kept.get(framework_id)
        now = self._clock()
        if kept is not None and now - kept[0] < self.ttl:
            return kept[1]
        mapping = await fetch_mapping(runtime.service("assessor"), framework_id)
        self._kept[framework_id] = (now, mapping)
        return mapping


async def fetch_mapping(client: httpx.AsyncClient, framework_id: str) -> FrameworkDetail:
    """Every page of the assessor's ``GET /frameworks/{framework_id}``."""
    path = f"/frameworks/{quote(framework_id, safe='')}"
    params: dict[str, str] = {"limit": str(MAX_LIMIT)}
    mapping: FrameworkDetail | None = None
    for _ in range(100):  # 100 pages of 1000 controls: far beyond any framework
        try:
            response = await client.get(path, params=params)
        except httpx.TransportError as exc:
            raise AssessorUnavailable(
                f"the assessor is unreachable ({type(exc).__name__}), so the controls of "
                f"{framework_id!r} and their policies are unknown; try again later"
            ) from exc
        if response.status_code == 404:
            raise NotFound(f"no framework {framework_id!r}", field="framework_id")
        if response.status_code != 200:
            raise AssessorUnavailable(
                f"the assessor answered {response.status_code} for framework {framework_id!r}"
            )
        try:
            page = FrameworkDetail.model_validate_json(response.content)
        except ValidationError as exc:
            raise AssessorUnavailable(
                f"the assessor sent framework {framework_id!r} in an unknown shape"
            ) from exc
        if mapping is None:
            mapping = page
        else:
            mapping.items.extend(page.items)
        if page.next_cursor is None:
            return mapping
        params = {"limit": str(MAX_LIMIT), "cursor": page.next_cursor}
    raise AssessorUnavailable(f"the assessor kept paging framework {framework_id!r}")


def get_mappings(request: Request) -> FrameworkMappings:
    """The mapping cache the app was built with."""
    mappings: FrameworkMappings = request.app.state.framework_mappings
    return mappings
