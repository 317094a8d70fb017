"""Settings of the autofix service (env prefix ``PACBOT_AUTOFIX_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from pacbot.common.runtime import DEFAULT_PORTS
from pacbot.common.settings import ServiceSettings


class AutofixSettings(ServiceSettings):
    """Which accounts may be fixed, how, and how often the timer looks for due plans."""

    model_config = SettingsConfigDict(env_prefix="PACBOT_AUTOFIX_", extra="ignore")

    service_name: str = "autofix"
    port: int = DEFAULT_PORTS["autofix"]
    dry_run: bool = Field(default=False, description="Record what would be done; touch nothing")
    allowed_accounts: list[str] | None = Field(
        default=None, description="Accounts autofix may change; a missing list means no account"
    )
    timer_poll_seconds: float = Field(default=1.0, gt=0)
    notify_webhook_url: str | None = Field(
        default=None, description="Where owner notifications are POSTed, besides the log"
    )
    grace_override_seconds: float | None = Field(
        default=None, ge=0, description="Replaces every policy's grace period (demos, tests)"
    )

    def account_allowed(self, account_id: str) -> bool:
        """True only for accounts on the allow-list; no list allows nothing."""
        return self.allowed_accounts is not None and account_id in self.allowed_accounts
