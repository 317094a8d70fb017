"""Checks shipped with the assessor, registered on the default registry at import."""

from __future__ import annotations

from typing import Any

from pacbot.assessor.conditions.outcome import Outcome
from pacbot.assessor.conditions.registry import CHECKS

PUBLIC_ACCESS_BLOCK_FLAGS = (
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
)


@CHECKS.register("s3-public-access-block-enabled")
def public_access_block_enabled(config: dict[str, Any], flags: list[str] | None = None) -> Outcome:
    """Pass when the bucket's PublicAccessBlock sets every named flag (default: all four)."""
    block = config.get("PublicAccessBlock") or {}
    wanted = flags or list(PUBLIC_ACCESS_BLOCK_FLAGS)
    missing = [flag for flag in wanted if block.get(flag) is not True]
    evidence = {"PublicAccessBlock": config.get("PublicAccessBlock")}
    if missing:
        return Outcome.of(False, f"PublicAccessBlock does not set {', '.join(missing)}", evidence)
    return Outcome.of(True, "PublicAccessBlock blocks all public access", evidence)
