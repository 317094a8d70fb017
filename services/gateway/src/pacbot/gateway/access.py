"""Who may call which public route: the route x role table, and how a scope narrows each call.

This table is the single source: ``authorize`` enforces it, ``docs/access.md`` is generated from
it (drift-tested), and a test walks every route of the OpenAPI document x every role against it.
A route missing from the table is refused to everyone.

Roles: ``viewer`` reads; ``owner`` reads and requests exceptions only for assets whose Owner tag
names them or one of their groups; ``security`` decides exceptions, runs scans and fixes;
``admin`` manages accounts, policies, keys and settings and may do everything.

How a scoped caller (accounts / asset groups) or an owner-only caller is narrowed, per route:
- ``open``: the data is not per account (the policy catalogue, resource types, oneself);
- ``query``: the gateway adds the scope as filters (``account_id``; ``owner`` for owners);
- ``item``: the answer is checked (account, owner) and hidden as 404 when outside;
- ``list``: the answer's items are filtered the same way;
- ``self``: the service itself narrows by the signed identity (exceptions);
- ``group``: an asset group route, allowed to a caller scoped to that group (by its name);
- ``refuse``: scoped and owner-only callers get 403 (the route cannot be narrowed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Narrowing = Literal["open", "query", "item", "list", "self", "group", "refuse"]

READERS = frozenset({"viewer", "owner", "security", "admin"})
STAFF_READERS = frozenset({"viewer", "security", "admin"})
SECURITY = frozenset({"security", "admin"})
ADMIN = frozenset({"admin"})
REQUESTERS = frozenset({"owner", "security", "admin"})
ANYONE = frozenset({"viewer", "owner", "security", "admin"})
PUBLIC: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Rule:
    """The roles that may call a route, and how a narrowed caller is narrowed there."""

    roles: frozenset[str]
    narrowing: Narrowing
    owner_param: str | None = None
    """For ``query`` routes: the filter that takes owner names (none: owners are refused);
    ``tag:Owner`` means ``tag=Owner=<name>`` filters."""
    group_param: str | None = None
    """For ``query`` routes: the filter naming one asset group (group-scoped callers use it)."""

    @property
    def public(self) -> bool:
        """Needs no credential (signing in)."""
        return not self.roles


V = "/api/v1"
ACCESS: dict[tuple[str, str], Rule] = {
    # --- signing in, oneself, keys
    ("POST", f"{V}/session"): Rule(PUBLIC, "open"),
    ("DELETE", f"{V}/session"): Rule(ANYONE, "open"),
    ("GET", f"{V}/me"): Rule(ANYONE, "open"),
    ("GET", f"{V}/keys"): Rule(ADMIN, "refuse"),
    ("POST", f"{V}/keys"): Rule(ADMIN, "open"),
    ("GET", f"{V}/keys/{{key_id}}"): Rule(ADMIN, "refuse"),
    ("POST", f"{V}/keys/{{key_id}}/rotate"): Rule(ADMIN, "refuse"),
    ("POST", f"{V}/keys/{{key_id}}/revoke"): Rule(ADMIN, "refuse"),
    ("GET", f"{V}/audit"): Rule(SECURITY, "refuse"),
    # --- inventory
    ("GET", f"{V}/accounts"): Rule(STAFF_READERS, "list"),
    ("POST", f"{V}/accounts"): Rule(ADMIN, "refuse"),
    ("POST", f"{V}/accounts/organization"): Rule(ADMIN, "refuse"),
    ("GET", f"{V}/accounts/{{account_id}}"): Rule(STAFF_READERS, "item"),
    ("PATCH", f"{V}/accounts/{{account_id}}"): Rule(ADMIN, "refuse"),
    ("POST", f"{V}/accounts/{{account_id}}/validate"): Rule(ADMIN, "refuse"),
    ("GET", f"{V}/scans"): Rule(STAFF_READERS, "refuse"),
    ("POST", f"{V}/scans"): Rule(SECURITY, "refuse"),
    ("GET", f"{V}/resources"): Rule(READERS, "open"),
    ("GET", f"{V}/resources/iam-policy"): Rule(READERS, "open"),
    ("GET", f"{V}/assets"): Rule(STAFF_READERS, "query"),
    ("GET", f"{V}/assets/search"): Rule(READERS, "query", owner_param="tag:Owner"),
    ("GET", f"{V}/assets/{{asset_id}}"): Rule(READERS, "item"),
    ("GET", f"{V}/assets/{{asset_id}}/history"): Rule(STAFF_READERS, "refuse"),
    ("GET", f"{V}/assets/{{asset_id}}/findings"): Rule(READERS, "item"),
    ("GET", f"{V}/findings/summary"): Rule(STAFF_READERS, "query"),
    ("POST", f"{V}/assets/replay"): Rule(ADMIN, "refuse"),
    ("POST", f"{V}/assets/reindex"): Rule(ADMIN, "refuse"),
    ("POST", f"{V}/events/aws"): Rule(ADMIN, "refuse"),
    ("GET", f"{V}/groups"): Rule(STAFF_READERS, "refuse"),
    ("POST", f"{V}/groups"): Rule(ADMIN, "refuse"),
    ("GET", f"{V}/groups/{{name}}"): Rule(STAFF_READERS, "group"),
    ("PUT", f"{V}/groups/{{name}}"): Rule(ADMIN, "refuse"),
    ("DELETE", f"{V}/groups/{{name}}"): Rule(ADMIN, "refuse"),
    ("GET", f"{V}/groups/{{name}}/assets"): Rule(STAFF_READERS, "group"),
    # --- policies
    ("GET", f"{V}/policies"): Rule(READERS, "open"),
    ("GET", f"{V}/policies/{{policy_id}}"): Rule(READERS, "open"),
    ("PATCH", f"{V}/policies/{{policy_id}}"): Rule(ADMIN, "refuse"),
    ("GET", f"{V}/policies/{{policy_id}}/history"): Rule(STAFF_READERS, "open"),
    ("POST", f"{V}/policies/whatif"): Rule(SECURITY, "refuse"),
    # --- frameworks: the catalogue is not per account; compliance by control is scoped like the
    # summary
    ("GET", f"{V}/frameworks"): Rule(STAFF_READERS, "open"),
    ("GET", f"{V}/frameworks/{{framework_id}}"): Rule(STAFF_READERS, "open"),
    ("GET", f"{V}/compliance/frameworks/{{framework_id}}"): Rule(
        STAFF_READERS, "query", group_param="group"
    ),
    ("GET", f"{V}/compliance/frameworks/{{framework_id}}/export.csv"): Rule(
        STAFF_READERS, "query", group_param="group"
    ),
    ("GET", f"{V}/compliance/frameworks/{{framework_id}}/export.ocsf"): Rule(
        STAFF_READERS, "query", group_param="group"
    ),
    ("GET", f"{V}/compliance/frameworks/{{framework_id}}/report.html"): Rule(
        STAFF_READERS, "query", group_param="group"
    ),
    # --- violations, results, compliance
    ("GET", f"{V}/violations"): Rule(READERS, "query", owner_param="owner", group_param="group"),
    ("GET", f"{V}/violations/export.csv"): Rule(
        READERS, "query", owner_param="owner", group_param="group"
    ),
    ("GET", f"{V}/violations/export.ocsf"): Rule(
        READERS, "query", owner_param="owner", group_param="group"
    ),
    ("GET", f"{V}/violations/{{violation_id}}"): Rule(READERS, "item"),
    ("GET", f"{V}/results"): Rule(STAFF_READERS, "query"),
    ("GET", f"{V}/compliance/summary"): Rule(STAFF_READERS, "query", group_param="group"),
    ("GET", f"{V}/compliance/breakdown"): Rule(STAFF_READERS, "query", group_param="group"),
    ("GET", f"{V}/compliance/trend"): Rule(STAFF_READERS, "refuse"),
    ("GET", f"{V}/compliance/mttr"): Rule(STAFF_READERS, "query"),
    # --- exceptions
    ("GET", f"{V}/exceptions"): Rule(READERS, "self"),
    ("POST", f"{V}/exceptions"): Rule(REQUESTERS, "self"),
    ("POST", f"{V}/exceptions/preview"): Rule(REQUESTERS, "self"),
    ("GET", f"{V}/exceptions/{{exception_id}}"): Rule(READERS, "self"),
    ("POST", f"{V}/exceptions/{{exception_id}}/approve"): Rule(SECURITY, "self"),
    ("POST", f"{V}/exceptions/{{exception_id}}/reject"): Rule(SECURITY, "self"),
    ("POST", f"{V}/exceptions/{{exception_id}}/revoke"): Rule(REQUESTERS, "self"),
    # --- fixes: a write names a plan or violation whose account the gateway cannot see, and a
    # pause's reason may name any account, so narrowed callers are refused there
    ("GET", f"{V}/fixes/catalog"): Rule(STAFF_READERS, "open"),
    ("GET", f"{V}/fixes/pauses"): Rule(STAFF_READERS, "refuse"),
    ("POST", f"{V}/fixes/pauses/{{policy_id}}/resume"): Rule(SECURITY, "refuse"),
    ("GET", f"{V}/fixes"): Rule(STAFF_READERS, "list"),
    ("POST", f"{V}/fixes"): Rule(SECURITY, "refuse"),
    ("GET", f"{V}/fixes/{{plan_id}}"): Rule(STAFF_READERS, "item"),
    ("POST", f"{V}/fixes/{{plan_id}}/rollback"): Rule(SECURITY, "refuse"),
    ("POST", f"{V}/fixes/{{plan_id}}/cancel"): Rule(SECURITY, "refuse"),
    ("POST", f"{V}/fixes/{{plan_id}}/postpone"): Rule(SECURITY, "refuse"),
}

ROLE_ORDER = ("viewer", "owner", "security", "admin")


def owner_only(roles: frozenset[str]) -> bool:
    """Holds the owner role and nothing that reads beyond one's own assets."""
    return "owner" in roles and roles.isdisjoint(STAFF_READERS)


def table_markdown() -> str:
    """``docs/access.md``: the route x role table, generated from ``ACCESS``."""
    lines = [
        "# Who may call what",
        "",
        "Generated from `services/gateway/src/pacbot/gateway/access.py`",
        "(`uv run pacbot-gateway access-table > docs/access.md`); a test fails when they differ,",
        "and another walks every route of the gateway's OpenAPI document x every role against it.",
        "",
        "Every `/api/v1` route needs a credential (API key, OIDC bearer token or session cookie)",
        "except signing in. `admin` may do everything. *Narrowing* says how a caller scoped to",
        "accounts or asset groups, or holding only the `owner` role, is narrowed on that route:",
        "`open` (nothing per account), `query` (the scope is added as filters: `account_id`,",
        "and `owner` for owners where the route has it), `item` (an answer outside the scope is",
        "a 404), "
        "`list` (items outside the scope are dropped), `self` (the service narrows by the signed",
        "identity), `group` (an asset group route, open to callers scoped to that group),",
        "`refuse` (403 for narrowed callers). A caller scoped to asset groups reads compliance",
        "with `group=<one of its groups>` and its groups' members; routes that cannot be narrowed",
        "to a group refuse it.",
        "",
        "| method | route | " + " | ".join(ROLE_ORDER) + " | narrowing |",
        "|---|---|" + "---|" * len(ROLE_ORDER) + "---|",
    ]
    for (method, path), rule in sorted(ACCESS.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        marks = [
            "public" if rule.public else ("yes" if role in rule.roles else "-")
            for role in ROLE_ORDER
        ]
        lines.append(f"| {method} | `{path}` | " + " | ".join(marks) + f" | {rule.narrowing} |")
    return "\n".join(lines) + "\n"
