"""What-if: a draft policy evaluated against the current inventory; nothing stored or emitted.

A draft is caller input, so every step is bounded. The body may be at most
:data:`MAX_DRAFT_BYTES`; parsing and each page's evaluation run in a worker thread, so the
event loop keeps serving other requests; and assets stream from inventory a page at a time,
each page judged as it arrives, so memory holds one page plus the verdicts, never the estate.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx
from fastapi import Request

from pacbot.assessor.policies.compiled import CompiledPolicy
from pacbot.assessor.policies.loader import PolicyError, load_text
from pacbot.assessor.policies.service import ActivePolicy
from pacbot.assessor.policies.whatif_report import Comparison, WhatIfReport
from pacbot.common.runtime import Runtime
from pacbot.common.web import DomainError

PAGE_SIZE = 1000  # inventory's largest page
MAX_DRAFT_BYTES = 256 * 1024  # far above any real policy (the largest shipped one is ~5 KiB)


class InventoryUnavailable(DomainError):
    """The assets to evaluate could not be read from inventory."""

    status_code = 502


class DraftTooLarge(DomainError):
    """The draft is over :data:`MAX_DRAFT_BYTES`."""

    status_code = 413


def _too_large(size: int | None) -> DraftTooLarge:
    got = f"{size} bytes" if size is not None else f"over {MAX_DRAFT_BYTES} bytes"
    return DraftTooLarge(
        f"the draft is {got}; a draft may be at most {MAX_DRAFT_BYTES} bytes (256 KiB)"
    )


async def read_draft(request: Request) -> bytes:
    """The request body, refused with 413 as soon as it is known to pass the limit."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_DRAFT_BYTES:
        raise _too_large(int(declared))
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_DRAFT_BYTES:
            raise _too_large(None)
    return bytes(body)


def parse_draft(body: bytes, content_type: str, display: str) -> CompiledPolicy | PolicyError:
    """A draft from YAML text, a JSON object (the document) or a JSON string (YAML text).

    CPU-bound: the endpoint runs it in a worker thread.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return PolicyError(display, 1, "<root>", "expected UTF-8 text")
    if "json" in content_type.lower():
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return PolicyError(display, exc.lineno, "<root>", f"invalid JSON: {exc.msg}")
        except RecursionError:
            return PolicyError(display, 1, "<root>", "invalid JSON: nested too deeply")
        if isinstance(data, str):
            text = data
        elif isinstance(data, dict):
            text = json.dumps(data, indent=2)  # JSON is YAML; indent keeps lines meaningful
        else:
            return PolicyError(
                display, 1, "<root>", "expected a policy document (an object) or YAML text"
            )
    if not text.strip():
        return PolicyError(display, 1, "<root>", "expected a policy document; the body is empty")
    return load_text(text, display)


async def asset_pages(runtime: Runtime, resource_type: str) -> AsyncIterator[list[dict[str, Any]]]:
    """The non-deleted assets of ``resource_type``, a page of inventory's ``GET /assets`` at a
    time (ordered by id there), following ``next_cursor`` to the last page."""
    client = runtime.service("inventory")
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"resource_type": resource_type, "limit": PAGE_SIZE}
        if cursor is not None:
            params["cursor"] = cursor
        try:
            response = await client.get("/assets", params=params)
        except httpx.HTTPError as exc:
            raise InventoryUnavailable(
                f"inventory is unreachable ({type(exc).__name__}); cannot read current assets"
            ) from exc
        if response.status_code != 200:
            raise InventoryUnavailable(f"inventory answered {response.status_code} to GET /assets")
        page: Mapping[str, Any] = response.json()
        items: list[dict[str, Any]] = page.get("items", [])
        current = [a for a in items if not a.get("deleted")]
        if current:
            yield current
        cursor = page.get("next_cursor")
        if not cursor or not items:
            return


async def compare(
    runtime: Runtime, draft: CompiledPolicy, existing: ActivePolicy | None
) -> WhatIfReport:
    """Judge the draft and the live policy it replaces on every current asset, page by page.

    When both cover one resource type, each page is judged by both as it arrives; otherwise
    the live policy's assets are read in a second pass. Judging runs in a worker thread.
    """
    comparison = Comparison(draft, existing)
    live = comparison.live
    same_type = live is not None and live.policy.document.resource == draft.document.resource
    async for page in asset_pages(runtime, draft.document.resource):
        await asyncio.to_thread(comparison.judge_draft, page, with_live=same_type)
    if live is not None and not same_type:
        async for page in asset_pages(runtime, live.policy.document.resource):
            await asyncio.to_thread(comparison.judge_live, page)
    return comparison.report()
