"""Inventory settings: where to sweep, how often, and how search is refreshed."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from pacbot.common.runtime import DEFAULT_PORTS
from pacbot.common.search import ALIAS
from pacbot.common.settings import ServiceSettings


class InventorySettings(ServiceSettings):
    """Settings of the inventory service (env prefix ``PACBOT_INVENTORY_``)."""

    model_config = SettingsConfigDict(env_prefix="PACBOT_INVENTORY_", extra="ignore")
    needs_search: ClassVar[bool] = True

    service_name: str = "inventory"
    port: int = DEFAULT_PORTS["inventory"]
    events_secret: SecretStr | None = Field(
        default=None, description="Shared secret that signs change events sent from outside"
    )
    change_queue_url: str | None = Field(
        default=None,
        description="SQS queue (fed by an EventBridge rule) of CloudTrail change events to "
        "re-discover from; unset reads no queue",
    )
    change_queue_region: str | None = Field(
        default=None, description="Region of the change queue; unset means aws_region"
    )
    change_queue_wait_seconds: int = Field(
        default=5, ge=1, le=20, description="SQS long-poll wait of one receive of the change queue"
    )
    change_queue_visibility_seconds: int = Field(
        default=120,
        ge=1,
        le=43200,
        description="How long a received change message stays hidden; one that failed "
        "for a transient reason is delivered again after it",
    )
    change_queue_batch: int = Field(
        default=10, ge=1, le=10, description="Change messages received (and handled) at once"
    )
    scan_interval_seconds: float = Field(
        default=0, ge=0, description="Sweep every N seconds; 0 runs no scheduler"
    )
    regions: list[str] | None = Field(
        default=None,
        description="Regions swept for accounts that do not list their own; "
        "unset means each account's enabled regions (ec2:DescribeRegions)",
    )
    sweep_intervals: dict[str, float] = Field(
        default_factory=dict,
        description="Per resource type cadence in seconds, overriding scan_interval_seconds",
    )
    scheduler_tick_seconds: float = Field(
        default=5, gt=0, description="How often the scheduler looks for due sweeps"
    )
    max_parallel_sweeps: int = Field(default=8, ge=1, description="Sweeps running at once")
    account_concurrency: int = Field(
        default=4, ge=1, description="Sweeps running at once against one account"
    )
    service_concurrency: int = Field(
        default=2, ge=1, description="Sweeps at once against one AWS service of one account+region"
    )
    default_account_id: str | None = Field(
        default=None,
        description="Account swept when none is onboarded; else the caller's own (STS)",
    )
    sweep_concurrency: int = Field(
        default=8, ge=1, description="Resources described in parallel within one sweep"
    )
    search_refresh: bool = Field(
        default=False, description="OpenSearch refresh=wait_for on writes (tests)"
    )
    search_alias: str = Field(
        default=ALIAS,
        pattern=r"^[a-z0-9][a-z0-9_-]{0,100}$",
        description="OpenSearch alias (and index name prefix) of the asset index",
    )
