"""Assessor settings (env prefix ``PACBOT_ASSESSOR_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from pacbot.common.runtime import DEFAULT_PORTS
from pacbot.common.settings import ServiceSettings

SHIPPED_PACKS = Path(__file__).parent / "packs"


class AssessorSettings(ServiceSettings):
    """Where the policy packs live and how autofix grace periods are reported."""

    model_config = SettingsConfigDict(env_prefix="PACBOT_ASSESSOR_", extra="ignore")

    service_name: str = "assessor"
    port: int = DEFAULT_PORTS["assessor"]
    policy_paths: list[str] = Field(
        default_factory=lambda: [str(SHIPPED_PACKS)],
        description="Directories (searched recursively) or files holding policy YAML",
    )
    replay_on_deploy: bool = Field(
        default=True,
        description="At start, ask inventory to replay the assets of policies that are new or "
        "edited in the packs (or back after removal), so they judge every existing asset",
    )
    autofix_grace_override_seconds: float | None = Field(
        default=None,
        ge=0,
        description="Replaces every policy's autofix grace period (demo and tests)",
    )
