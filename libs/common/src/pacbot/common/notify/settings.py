"""Notification settings: a mixin of plain fields every service's settings class can add.

``class AutofixSettings(ServiceSettings, NotifySettings)`` reads them with the service's env
prefix (``PACBOT_AUTOFIX_SMTP_HOST``...). Secrets are ``SecretStr`` or a ``*_file`` path read
at use (a mounted secret), never a default in code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, SecretStr, ValidationInfo, field_validator


def _secret(value: SecretStr | None, file: str | None, name: str) -> str | None:
    """The secret given inline, else the first line of its file (read now), else None."""
    if value is not None and value.get_secret_value():
        return value.get_secret_value()
    if file:
        try:
            text = Path(file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ValueError(f"{name}_file: cannot read {file!r}: {exc.strerror or exc}") from exc
        if not text:
            raise ValueError(f"{name}_file: {file!r} is empty")
        return text
    return None


class NotifySettings(BaseModel):
    """Who is told (owner tags, fallbacks), over which channels, and how hard delivery tries."""

    owner_tag_keys: list[str] = Field(
        default=["Owner", "owner", "Contact", "contact"],
        description="Tag keys naming a resource's owner, first non-empty one wins",
    )
    fallback_addresses: dict[str, str] = Field(
        default_factory=dict, description="Account id -> who is told when a resource has no owner"
    )
    default_fallback_address: str | None = Field(
        default=None, description="Who is told when neither an owner nor an account fallback is"
    )

    smtp_host: str | None = Field(default=None, description="SMTP relay; unset: no email")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_password_file: str | None = Field(default=None, description="File holding the password")
    smtp_from: str = Field(default="pacbot@localhost", description="The From address of email")
    smtp_starttls: bool = Field(default=False, description="Upgrade the connection (port 587)")
    smtp_ssl: bool = Field(default=False, description="Implicit TLS from the start (port 465)")
    smtp_timeout_seconds: float = Field(default=10, gt=0)

    webhook_url: str | None = Field(
        default=None, description="Every notification is POSTed here, signed (X-PacBot-Signature)"
    )
    webhook_secret: SecretStr | None = Field(
        default=None, description="HMAC-SHA256 key of the webhook signature"
    )
    webhook_secret_file: str | None = Field(
        default=None,
        validate_default=True,
        description="File holding webhook_secret (a mounted secret)",
    )
    slack_webhook_url: SecretStr | None = Field(
        default=None, description="A Slack-compatible incoming webhook; every notification"
    )
    slack_webhook_url_file: str | None = Field(
        default=None, description="File holding slack_webhook_url"
    )

    notify_max_attempts: int = Field(
        default=5, ge=1, description="Attempts per channel before a delivery fails for good"
    )
    notify_backoff_seconds: float = Field(
        default=30, gt=0, description="Wait after the first failed attempt; doubles each time"
    )
    notify_backoff_max_seconds: float = Field(default=3600, gt=0, description="Longest wait")
    notify_poll_seconds: float = Field(default=2, gt=0, description="Dispatcher interval")
    notify_lease_seconds: float = Field(
        default=300,
        gt=0,
        description="A delivery claimed this long ago by a worker that never answered is re-sent",
    )
    digest_enabled: bool = Field(default=False, description="Send a daily digest per recipient")
    digest_interval_seconds: float = Field(default=3600, gt=0, description="Digest job interval")

    @field_validator("webhook_secret_file")
    @classmethod
    def _webhook_needs_a_secret(cls, file: str | None, info: ValidationInfo) -> str | None:
        """A webhook without a signing secret would let anyone forge notifications: refuse it."""
        data: dict[str, Any] = info.data
        secret: SecretStr | None = data.get("webhook_secret")
        if data.get("webhook_url") and not file and not (secret and secret.get_secret_value()):
            raise ValueError(
                "webhook_url is set but neither webhook_secret nor webhook_secret_file is: every "
                "webhook call is signed (X-PacBot-Signature) so its receiver can tell it is ours; "
                "set one of them"
            )
        return file

    @field_validator("smtp_ssl")
    @classmethod
    def _one_tls_mode(cls, ssl: bool, info: ValidationInfo) -> bool:
        """Implicit TLS and STARTTLS exclude each other."""
        if ssl and info.data.get("smtp_starttls"):
            raise ValueError(
                "smtp_ssl and smtp_starttls are both set; choose smtp_ssl (implicit TLS, port "
                "465) or smtp_starttls (upgrade, port 587)"
            )
        return ssl

    def fallback_for(self, account_id: str | None) -> str | None:
        """Who hears of an account's resource without an owner: its fallback, else the default."""
        if account_id and (address := self.fallback_addresses.get(account_id, "").strip()):
            return address
        return (self.default_fallback_address or "").strip() or None

    def resolved_smtp_password(self) -> str | None:
        """The SMTP password, read now (inline or from its file)."""
        return _secret(self.smtp_password, self.smtp_password_file, "smtp_password")

    def resolved_webhook_secret(self) -> str | None:
        """The webhook signing secret, read now (inline or from its file)."""
        return _secret(self.webhook_secret, self.webhook_secret_file, "webhook_secret")

    def resolved_slack_webhook_url(self) -> str | None:
        """The Slack incoming-webhook URL, read now (inline or from its file)."""
        return _secret(self.slack_webhook_url, self.slack_webhook_url_file, "slack_webhook_url")
