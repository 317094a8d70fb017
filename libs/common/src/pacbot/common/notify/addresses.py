"""Who a notification is for: an owner named by tags, and whether an address is email."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]{{1,64}}@{_LABEL}(?:\.{_LABEL})+")


def owner_from_tags(tags: Mapping[str, str], keys: Sequence[str]) -> str | None:
    """The first non-empty value among ``keys`` (in order), trimmed; None when none has one."""
    for key in keys:
        value = tags.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def is_email(address: str) -> bool:
    """True for a plain ``local@domain.tld`` address (no display name, spaces or line breaks)."""
    return len(address) <= 320 and _EMAIL.fullmatch(address) is not None
