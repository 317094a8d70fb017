"""The fix catalogue and the least-privilege remediation IAM policy, from the fix registry.

``pacbot fixes list|iam-policy`` and the service's ``GET /fixes/catalog`` both read these, so
what the CLI prints, what the API serves and what the fixes declare cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from pacbot.autofix.fixes._base import Fix
from pacbot.autofix.fixes._registry import FIXES, FixRegistry
from pacbot.common.iam_policy import MANAGED_POLICY_LIMIT, allow, document, split

READ_SID = "PacBotAutofixRead"
WRITE_SID = "PacBotAutofixWrite"


def entry(fix: Fix) -> dict[str, Any]:
    """One fix's declarative metadata as JSON."""
    return {
        "name": fix.name,
        "resource_type": fix.resource_type,
        "policies": list(fix.policies),
        "read_permissions": list(fix.read_permissions),
        "write_permissions": list(fix.write_permissions),
        "reversible": fix.reversible,
        "backs_up": fix.backs_up,
        "verifies": fix.verifies,
        "description": fix.description,
    }


def catalog(registry: FixRegistry = FIXES) -> list[dict[str, Any]]:
    """Every registered fix, sorted by name."""
    return [entry(fix) for fix in sorted(registry, key=lambda f: f.name)]


def _statements(registry: FixRegistry) -> list[dict[str, Any]]:
    """The read statement and the write statement (either left out when nothing needs it)."""
    reads = {a for fix in registry for a in fix.read_permissions}
    writes = {a for fix in registry for a in fix.write_permissions}
    pairs = ((READ_SID, reads), (WRITE_SID, writes))
    return [allow(sid, actions) for sid, actions in pairs if actions]


def remediation_policy(registry: FixRegistry = FIXES) -> dict[str, Any]:
    """The IAM policy document every registered fix needs: one read and one write statement.

    Actions are sorted and de-duplicated, on ``Resource: "*"``. ``remediation_policies`` is the
    same split into customer-managed-policy sized documents.
    """
    return document(_statements(registry))


def remediation_policies(
    registry: FixRegistry = FIXES, limit: int = MANAGED_POLICY_LIMIT
) -> list[dict[str, Any]]:
    """``remediation_policy`` as few documents as fit AWS's managed-policy size (usually one)."""
    return split(_statements(registry), limit)
