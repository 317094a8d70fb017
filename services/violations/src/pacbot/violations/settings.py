"""Violations settings (env prefix ``PACBOT_VIOLATIONS_``)."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from pacbot.common.runtime import DEFAULT_PORTS
from pacbot.common.settings import ServiceSettings

SEVERITY_WEIGHTS = {"critical": 10.0, "high": 5.0, "medium": 3.0, "low": 1.0}
CATEGORY_WEIGHTS = {
    "security": 50.0,
    "governance": 20.0,
    "cost": 20.0,
    "tagging": 10.0,
    "operations": 10.0,
}


class ViolationsSettings(ServiceSettings):
    """Compliance weights and the daily snapshot job (docs/contracts.md, compliance figures)."""

    model_config = SettingsConfigDict(env_prefix="PACBOT_VIOLATIONS_", extra="ignore")

    service_name: str = "violations"
    port: int = DEFAULT_PORTS["violations"]
    severity_weights: dict[str, float] = Field(
        default_factory=lambda: dict(SEVERITY_WEIGHTS),
        description="Weight of a policy's figure inside its category, by severity (partial "
        "maps override only the severities they name)",
    )
    category_weights: dict[str, float] = Field(
        default_factory=lambda: dict(CATEGORY_WEIGHTS),
        description="Weight of each category's figure in the overall figure (0 leaves it out; "
        "partial maps override only the categories they name)",
    )
    export_batch_size: int = Field(
        default=2000, ge=1, le=50_000, description="Rows an export reads per keyset query"
    )
    snapshot_interval_seconds: float = Field(
        default=3600,
        ge=0,
        description="How often today's compliance snapshots are re-taken; 0 = off",
    )
    snapshot_scopes: list[str] = Field(
        default_factory=list,
        description='Scopes snapshotted besides "all" and each account, e.g. "group:prod"',
    )

    tally_tag_keys: list[str] = Field(
        default_factory=lambda: ["Environment", "Application"],
        description="Tag keys the compliance tallies also count by: a scope or asset group "
        "with a condition on one of them reads the tallies; a change rebuilds them at start",
    )

    tally_groups: int = Field(
        default=50,
        ge=0,
        le=200,
        description="Asset groups (the inventory's first, by name) the compliance tallies also "
        "count by, so a group's figures and the breakdown by group read a few cells; "
        "others are counted from the raw rows and cached. 0 = none",
    )
    tally_groups_sync_seconds: float = Field(
        default=30,
        gt=0,
        description="How often the inventory's asset groups are compared with those the "
        "tallies count by (a new or changed group is counted anew)",
    )

    @field_validator("tally_tag_keys")
    @classmethod
    def _tally_tag_keys(cls, keys: list[str]) -> list[str]:
        bad = [k for k in keys if not k or '"' in k or "\\" in k or len(k) > 128 or k[0] == "#"]
        if bad:
            raise ValueError(
                f"tag keys must be 1-128 characters without '\"' or '\\', not starting "
                f"with '#': {bad}"
            )
        return list(dict.fromkeys(keys))

    @field_validator("severity_weights")
    @classmethod
    def _severity_weights(cls, weights: dict[str, float]) -> dict[str, float]:
        return _checked(weights, SEVERITY_WEIGHTS, "severity")

    @field_validator("category_weights")
    @classmethod
    def _category_weights(cls, weights: dict[str, float]) -> dict[str, float]:
        return _checked(weights, CATEGORY_WEIGHTS, "category")


def _checked(weights: dict[str, float], known: dict[str, float], kind: str) -> dict[str, float]:
    unknown = sorted(set(weights) - set(known))
    if unknown:
        raise ValueError(f"unknown {kind}(ies) {unknown}; known: {list(known)}")
    negative = sorted(k for k, w in weights.items() if w < 0)
    if negative:
        raise ValueError(f"{kind} weights must not be negative: {negative}")
    return {**known, **weights}
