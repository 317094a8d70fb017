"""The verdicts of a what-if, gathered page by page, and how they differ from today's.

``would_open``: assets the draft fails that the live policy does not fail today.
``would_close``: assets the live policy fails today that the draft does not fail (passes,
finds not applicable, or no longer covers); a draft *error* closes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pacbot.assessor.policies.compiled import CompiledPolicy
from pacbot.assessor.policies.service import ActivePolicy


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


class Comparison:
    """Accumulates verdicts of pages judged one at a time; only asset ids are kept per asset.

    Inventory's cursor carries an offset, so an asset may come twice while the estate changes:
    each is judged once.
    """

    def __init__(self, draft: CompiledPolicy, existing: ActivePolicy | None) -> None:
        self.draft = draft
        self.existing = existing
        self.live = existing if existing is not None and existing.enabled else None
        self._report = WhatIfReport(policy_id=draft.id, resource=draft.document.resource)
        self._judged: set[str] = set()
        self._draft_fails: set[str] = set()
        self._draft_errs: set[str] = set()
        self._live_fails: set[str] = set()

    def judge_draft(self, assets: Iterable[Mapping[str, Any]], *, with_live: bool) -> None:
        """The draft's verdict on each new asset (and the live policy's, when asked)."""
        report = self._report
        for asset in assets:
            asset_id = str(asset["asset_id"])
            if asset_id in self._judged:
                continue
            self._judged.add(asset_id)
            outcome = self.draft.evaluate(asset.get("config") or {})
            report.evaluated += 1
            if outcome.status == "fail":
                self._draft_fails.add(asset_id)
                report.would_fail.append(_entry(asset, outcome.reason))
            elif outcome.status == "pass":
                report.would_pass += 1
            elif outcome.status == "error":
                self._draft_errs.add(asset_id)
                report.errors.append(_entry(asset, outcome.reason))
            else:
                report.not_applicable += 1
            if with_live:
                self._judge_live_one(asset)

    def judge_live(self, assets: Iterable[Mapping[str, Any]]) -> None:
        """The live policy's verdict on each asset (its resource type differs from the draft's)."""
        for asset in assets:
            self._judge_live_one(asset)

    def _judge_live_one(self, asset: Mapping[str, Any]) -> None:
        if self.live is None:
            return
        outcome = self.live.policy.evaluate(asset.get("config") or {}, self.live.overrides)
        if outcome.status == "fail":
            self._live_fails.add(str(asset["asset_id"]))

    def report(self) -> WhatIfReport:
        """The report, lists ordered by asset id."""
        report, existing = self._report, self.existing
        report.would_fail.sort(key=lambda e: str(e["asset_id"]))
        report.errors.sort(key=lambda e: str(e["asset_id"]))
        report.current = {
            "exists": existing is not None,
            "enabled": existing.enabled if existing is not None else None,
            "version": existing.policy.document.version if existing is not None else None,
            "failing": len(self._live_fails),
        }
        report.would_open = sorted(self._draft_fails - self._live_fails)
        report.would_close = sorted(self._live_fails - self._draft_fails - self._draft_errs)
        return report
