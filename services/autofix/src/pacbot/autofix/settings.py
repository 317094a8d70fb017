"""Settings of the autofix service (env prefix ``PACBOT_AUTOFIX_``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import SettingsConfigDict

from pacbot.common.notify import NotifySettings
from pacbot.common.runtime import DEFAULT_PORTS
from pacbot.common.settings import ServiceSettings


class PolicyFix(BaseModel):
    """How one policy's fix may run. A policy absent from ``policies`` is never fixed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    accounts: list[str] | None = Field(
        default=None,
        description="Accounts this policy may change; unset falls back to allowed_accounts, "
        "and with neither no account is changed",
    )
    dry_run: bool = Field(default=False, description="Record the calls; change nothing")
    immediate: bool = Field(
        default=False, description="No grace period, and act even when nobody could be told"
    )
    grace_seconds: float | None = Field(
        default=None, ge=0, description="Replaces the grace period the policy declares"
    )
    max_resources: int | None = Field(
        default=None, ge=1, description="At most this many fixes of the policy per window"
    )
    max_percent: float | None = Field(
        default=None,
        gt=0,
        le=100,
        description="At most this share of the resource type in one account per window",
    )
    created_after: datetime | None = Field(
        default=None, description="Only resources created after this instant are changed"
    )


class AutofixSettings(ServiceSettings, NotifySettings):
    """Which policies and accounts may be fixed, how, how carefully, and who is told."""

    model_config = SettingsConfigDict(env_prefix="PACBOT_AUTOFIX_", extra="ignore")

    service_name: str = "autofix"
    port: int = DEFAULT_PORTS["autofix"]
    dry_run: bool = Field(default=False, description="Record what would be done; touch nothing")
    policies: dict[str, PolicyFix] = Field(
        default_factory=dict,
        description="Policy id -> how its fix runs (JSON). Only listed policies are fixed",
    )
    allowed_accounts: list[str] | None = Field(
        default=None,
        description="Accounts a listed policy without its own `accounts` may change; a missing "
        "list means no account",
    )
    exclusion_tag: str = Field(
        default="pacbot:autofix",
        description="A resource tagged with this key and value `off`/`false`/`skip` is never fixed",
    )
    blast_window_seconds: float = Field(
        default=3600, gt=0, description="The window the blast-radius caps count fixes over"
    )
    max_fixes_per_window: int | None = Field(
        default=None, ge=1, description="A cap on fixes of any one policy per window"
    )
    reminders: int = Field(default=1, ge=0, description="Reminders before the fix is applied")
    reminder_interval_seconds: float = Field(
        default=8 * 3600, gt=0, description="Time between the notice and each reminder"
    )
    security_address: str | None = Field(
        default=None, description="Who is alerted when a blast-radius cap pauses a policy"
    )
    timer_poll_seconds: float = Field(default=1.0, gt=0)
    fix_concurrency: int = Field(
        default=8, ge=1, le=64, description="Plans one replica runs at once (AWS calls in threads)"
    )
    lease_seconds: float = Field(
        default=300,
        gt=0,
        description="How long a replica owns a running plan before another may settle it",
    )
    grace_override_seconds: float | None = Field(
        default=None, ge=0, description="Replaces every policy's grace period (demos, tests)"
    )

    def policy(self, policy_id: str) -> PolicyFix | None:
        """The fix settings of a policy, when its fix is enabled at all."""
        config = self.policies.get(policy_id)
        return config if config is not None and config.enabled else None

    def account_allowed(self, policy_id: str, account_id: str) -> bool:
        """True only for accounts on the policy's allow-list (or the default one); none: False."""
        config = self.policy(policy_id)
        if config is None:
            return False
        accounts = config.accounts if config.accounts is not None else self.allowed_accounts
        return accounts is not None and account_id in accounts

    def grace_for(self, policy_id: str, declared: float) -> float:
        """The grace period a plan of this policy waits after the owner is told."""
        config = self.policy(policy_id)
        if self.grace_override_seconds is not None:
            return self.grace_override_seconds
        if config is not None and config.immediate:
            return 0.0
        if config is not None and config.grace_seconds is not None:
            return config.grace_seconds
        return declared

    def dry_run_for(self, policy_id: str) -> bool:
        """Global or per-policy dry run."""
        config = self.policy(policy_id)
        return self.dry_run or (config is not None and config.dry_run)
