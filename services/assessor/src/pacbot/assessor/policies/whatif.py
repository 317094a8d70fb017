"""What-if: a draft policy evaluated against the current inventory; nothing stored or emitted."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from pacbot.assessor.policies.compiled import CompiledPolicy
from pacbot.assessor.policies.loader import PolicyError, load_text
from pacbot.assessor.policies.service import ActivePolicy
from pacbot.common.runtime import Runtime
from pacbot.common.web import DomainError

PAGE_SIZE = 1000  # inventory's largest page


class InventoryUnavailable(DomainError):
    """The assets to evaluate could not be read from inventory."""

    status_code = 502


def parse_draft(body: bytes, content_type: str, display: str) -> CompiledPolicy | PolicyError:
    """A draft from YAML text, a JSON object (the document) or a JSON string (YAML text)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return PolicyError(display, 1, "<root>", "expected UTF-8 text")
    if "json" in content_type.lower():
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return PolicyError(display, exc.lineno, "<root>", f"invalid JSON: {exc.msg}")
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


async def current_assets(runtime: Runtime, resource_type: str) -> list[dict[str, Any]]:
    """Every non-deleted asset of ``resource_type``, paging through inventory's ``GET /assets``."""
    client = runtime.service("inventory")
    assets: list[dict[str, Any]] = []
    offset = 0
    while True:
        params: dict[str, str | int] = {
            "resource_type": resource_type,
            "limit": PAGE_SIZE,
            "offset": offset,
        }
        try:
            response = await client.get("/assets", params=params)
        except httpx.HTTPError as exc:
            raise InventoryUnavailable(
                f"inventory is unreachable ({type(exc).__name__}); cannot read current assets"
            ) from exc
        if response.status_code != 200:
            raise InventoryUnavailable(f"inventory answered {response.status_code} to GET /assets")
        page = response.json()
        items = page.get("items", [])
        assets.extend(a for a in items if not a.get("deleted"))
        offset += len(items)
        if not items or offset >= int(page.get("total", 0)):
            return assets


@dataclass
class WhatIfReport:
    """The verdicts of a draft over the current assets, and how they differ from today's."""

    policy_id: str
    resource: str
    evaluated: int = 0
    would_fail: list[dict[str, Any]] = field(default_factory=list)
    would_pass: int = 0
    not_applicable: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    would_open: list[str] = field(default_factory=list)
    would_close: list[str] = field(default_factory=list)
    current: dict[str, Any] = field(default_factory=dict)


def _entry(asset: Mapping[str, Any], reason: str) -> dict[str, Any]:
    return {"asset_id": asset["asset_id"], "name": asset.get("name"), "reason": reason}


def compare(
    draft: CompiledPolicy,
    draft_assets: list[dict[str, Any]],
    existing: ActivePolicy | None,
    existing_assets: list[dict[str, Any]],
) -> WhatIfReport:
    """Evaluate the draft and the policy it replaces side by side, and diff the failures.

    ``would_open``: assets the draft fails that the live policy does not fail today.
    ``would_close``: assets the live policy fails today that the draft does not fail
    (passes, finds not applicable, or no longer covers); a draft *error* closes nothing.
    """
    report = WhatIfReport(policy_id=draft.id, resource=draft.document.resource)
    draft_status: dict[str, str] = {}
    for asset in sorted(draft_assets, key=lambda a: str(a["asset_id"])):
        outcome = draft.evaluate(asset.get("config") or {})
        draft_status[asset["asset_id"]] = outcome.status
        report.evaluated += 1
        if outcome.status == "fail":
            report.would_fail.append(_entry(asset, outcome.reason))
        elif outcome.status == "pass":
            report.would_pass += 1
        elif outcome.status == "error":
            report.errors.append(_entry(asset, outcome.reason))
        else:
            report.not_applicable += 1
    failing_now: set[str] = set()
    if existing is not None and existing.enabled:
        for asset in existing_assets:
            outcome = existing.policy.evaluate(asset.get("config") or {}, existing.overrides)
            if outcome.status == "fail":
                failing_now.add(asset["asset_id"])
    report.current = {
        "exists": existing is not None,
        "enabled": existing.enabled if existing is not None else None,
        "version": existing.policy.document.version if existing is not None else None,
        "failing": len(failing_now),
    }
    report.would_open = sorted(
        asset_id
        for asset_id, s in draft_status.items()
        if s == "fail" and asset_id not in failing_now
    )
    report.would_close = sorted(
        asset_id
        for asset_id in failing_now
        if draft_status.get(asset_id, "not_applicable") not in ("fail", "error")
    )
    return report
