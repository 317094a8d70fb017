"""Tells an asset's owner that a fix is coming: a structured log line, plus a webhook when set."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from pacbot.autofix.models import FixPlan

log = logging.getLogger("pacbot.autofix.notify")


class OwnerNotifier:
    """Sends one notification per plan; a failed webhook is retried by the timer loop."""

    def __init__(self, webhook_url: str | None, http: httpx.AsyncClient | None) -> None:
        self.webhook_url = webhook_url
        self.http = http

    @staticmethod
    def message(plan: FixPlan) -> dict[str, Any]:
        """What the owner is told."""
        return {
            "plan_id": plan.plan_id,
            "violation_id": plan.violation_id,
            "owner": plan.owner,
            "asset_id": plan.asset_id,
            "account_id": plan.account_id,
            "region": plan.region,
            "policy_id": plan.policy_id,
            "action": plan.action,
            "due_at": plan.due_at.isoformat(),
            "dry_run": plan.dry_run,
            "detail": plan.detail,
        }

    async def notify(self, plan: FixPlan) -> bool:
        """Notify the owner; False when the webhook could not be reached."""
        message = self.message(plan)
        log.info("autofix scheduled; notifying owner", extra={"notification": message})
        if not self.webhook_url or self.http is None:
            return True
        try:
            response = await self.http.post(self.webhook_url, json=message)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            log.warning(
                "owner webhook failed; will retry",
                extra={"plan_id": plan.plan_id, "error": repr(exc)},
            )
            return False
        return True
