"""Pure predicates over IAM and resource policy documents, shared by the assessor and autofix.

The assessor's ``iam-policy-public-principal`` check and the autofix fixes that remove public
statements must agree on what "public" means, so the rule lives here, once.
"""

from __future__ import annotations

from typing import Any


def listed(value: Any) -> list[Any]:
    """A policy element that may be one value or a list of them, as a list (None is empty)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The statements of a policy document (one statement or a list), dicts only."""
    return [s for s in listed(document.get("Statement") or []) if isinstance(s, dict)]


def public_principal(principal: Any) -> bool:
    """True when a Principal element names everyone: "*", AWS "*" or CanonicalUser "*"."""
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return any("*" in listed(principal.get(kind)) for kind in ("AWS", "CanonicalUser"))
    return isinstance(principal, list) and "*" in principal


def is_public_statement(statement: dict[str, Any]) -> bool:
    """True when a statement allows everyone with no Condition to narrow it down."""
    return (
        statement.get("Effect") == "Allow"
        and public_principal(statement.get("Principal"))
        and not statement.get("Condition")
    )
