"""The fix registry and the fixes PacBot ships; importing this package registers them all."""

from pacbot.autofix.fixes import s3_public_access
from pacbot.autofix.fixes._base import AccountAws, Fix, FixTarget, ResourceGone
from pacbot.autofix.fixes._registry import FIXES, FixRegistry

__all__ = [
    "FIXES",
    "AccountAws",
    "Fix",
    "FixRegistry",
    "FixTarget",
    "ResourceGone",
    "s3_public_access",
]
