"""Checks over resource policy documents: required statements, and access from other accounts.

``policy-has-statements`` passes when a document holds every statement id and every statement
shape asked for (Cloud Custodian's ``has-statement``: each element of a shape must equal the
statement's, order and single-vs-list aside, or, for elements named in ``PartialMatch``, be
contained in it). ``policy-cross-account`` fails when an Allow statement lets in a principal
outside the resource's own account and the trusted ones (Custodian's ``cross-account``):
everyone (``*``) unless a condition pins the caller to a trusted account, organization, VPC
or VPC endpoint, or a named account that is not trusted.

``{account_id}`` and ``{region}`` in a shape are the resource's own, read from its ARN.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import Field, field_validator

from pacbot.assessor.conditions.outcome import Outcome
from pacbot.assessor.conditions.paths import compile_path
from pacbot.assessor.conditions.registry import CHECKS, CheckArgs
from pacbot.common.iam_documents import listed, public_principal, statements

PARTIAL_ELEMENTS = (
    "Action",
    "NotAction",
    "Principal",
    "NotPrincipal",
    "Resource",
    "NotResource",
    "Condition",
)
ELEMENTS = ("Sid", "Effect", *PARTIAL_ELEMENTS)
_ACCOUNT = re.compile(r"^\d{12}$")
_ARN_ACCOUNT = re.compile(r"^arn:[^:]+:[^:]*:[^:]*:(\d{12})(?::|$)")
_TRUSTING_KEYS = {
    "aws:sourceaccount": "accounts",
    "aws:sourceowner": "accounts",
    "aws:principalaccount": "accounts",
    "aws:principalorgid": "orgs",
    "aws:sourcevpc": "vpcs",
    "aws:sourcevpce": "vpces",
}
_NARROWING_OPERATORS = ("stringequals", "stringequalsignorecase", "arnequals", "arnlike")


class DocumentArgs(CheckArgs):
    """``key``: JMESPath to the policy document (a JSON string or an object)."""

    key: str = "Policy"

    @field_validator("key")
    @classmethod
    def _key(cls, key: str) -> str:
        compile_path(key)
        return key


class HasStatementsArgs(DocumentArgs):
    """Statement ids and statement shapes the document must hold (at least one of them)."""

    statement_ids: list[str] = Field(default_factory=list)
    statements: list[dict[str, Any]] = Field(default_factory=list)

    @field_validator("statements")
    @classmethod
    def _shapes(cls, shapes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for index, shape in enumerate(shapes):
            unknown = sorted(set(shape) - set(ELEMENTS) - {"PartialMatch"})
            if unknown:
                raise ValueError(f"statements[{index}]: unknown element {unknown[0]!r}")
            for element in listed(shape.get("PartialMatch")):
                if element not in PARTIAL_ELEMENTS:
                    raise ValueError(
                        f"statements[{index}].PartialMatch: {element!r} is not one of "
                        f"{', '.join(PARTIAL_ELEMENTS)}"
                    )
        return shapes


class CrossAccountArgs(DocumentArgs):
    """Who is trusted besides the resource's own account."""

    allowed_accounts: list[str] = Field(default_factory=list)
    allowed_org_ids: list[str] = Field(default_factory=list)
    allowed_vpcs: list[str] = Field(default_factory=list)
    allowed_vpces: list[str] = Field(default_factory=list)
    everyone_only: bool = False

    @field_validator("allowed_accounts")
    @classmethod
    def _accounts(cls, accounts: list[str]) -> list[str]:
        for account in accounts:
            if not _ACCOUNT.match(str(account)):
                raise ValueError(f"{account!r} is not a 12-digit account id")
        return [str(a) for a in accounts]


def _document(config: dict[str, Any], key: str) -> dict[str, Any] | str | None:
    """The document at ``key``: a dict, None when absent, or why it is not a document."""
    found = compile_path(key)(config)
    if found is None or found == "":
        return None
    if isinstance(found, str):
        try:
            found = json.loads(found)
        except json.JSONDecodeError as exc:
            return f"{key} is not JSON: {exc.msg}"
    return found if isinstance(found, dict) else f"{key} is not a policy document"


def own_account(config: dict[str, Any]) -> str | None:
    """The resource's account, from the first ARN among its top-level values."""
    for name, value in config.items():
        if isinstance(value, str) and name.lower().endswith("arn"):
            match = _ARN_ACCOUNT.match(value)
            if match:
                return match.group(1)
    owner = config.get("OwnerId") or config.get("AccountId")
    return str(owner) if owner is not None and _ACCOUNT.match(str(owner)) else None


def _region(config: dict[str, Any]) -> str | None:
    for name, value in config.items():
        if isinstance(value, str) and name.lower().endswith("arn") and value.startswith("arn:"):
            parts = value.split(":")
            if len(parts) > 3 and parts[3]:
                return parts[3]
    return None


def _formatted(value: Any, names: dict[str, str | None]) -> Any:
    if isinstance(value, str):
        for name, replacement in names.items():
            if "{" + name + "}" in value and replacement is not None:
                value = value.replace("{" + name + "}", replacement)
        return value
    if isinstance(value, list):
        return [_formatted(v, names) for v in value]
    if isinstance(value, dict):
        return {k: _formatted(v, names) for k, v in value.items()}
    return value


def _lower_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k).lower(): _lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower_keys(v) for v in value]
    return value


def _as_set(value: Any) -> Any:
    """Order and one-vs-list aside: a frozenset of values, dicts by their (key, set) items."""
    if isinstance(value, dict):
        return frozenset((k, _as_set(v)) for k, v in value.items())
    return frozenset(json.dumps(v, sort_keys=True) for v in listed(value))


def _normal(element: str, value: Any) -> Any:
    if element == "Condition":
        return _lower_keys(value)
    if element in ("Action", "NotAction"):
        return [str(v).lower() for v in listed(value)]
    return value


def _contains(wanted: Any, held: Any) -> bool:
    """Whether ``held`` contains ``wanted``: every listed value, every key recursively."""
    if isinstance(wanted, dict):
        return isinstance(held, dict) and all(
            k in held and _contains(v, held[k]) for k, v in wanted.items()
        )
    if isinstance(held, dict):
        return False
    held_values = {json.dumps(v, sort_keys=True) for v in listed(held)}
    return all(json.dumps(v, sort_keys=True) in held_values for v in listed(wanted))


def _matches(shape: dict[str, Any], statement: dict[str, Any]) -> bool:
    partial = set(listed(shape.get("PartialMatch")))
    for element, wanted in shape.items():
        if element == "PartialMatch":
            continue
        if element not in statement:
            return False
        want, held = _normal(element, wanted), _normal(element, statement[element])
        if element in partial:
            if not _contains(want, held):
                return False
        elif _as_set(want) != _as_set(held):
            return False
    return True


@CHECKS.register("policy-has-statements", args=HasStatementsArgs)
def policy_has_statements(
    config: dict[str, Any], key: str, statement_ids: list[str], statements: list[dict[str, Any]]
) -> Outcome:
    """Pass when the policy document holds every statement id and statement shape given."""
    document = _document(config, key)
    if isinstance(document, str):
        return Outcome("error", document, {key: compile_path(key)(config)})
    held = _statements(document)
    names = {"account_id": own_account(config), "region": _region(config)}
    missing_ids = [sid for sid in statement_ids if sid not in {s.get("Sid") for s in held}]
    missing = [
        shape
        for shape in _formatted(statements, names)
        if not any(_matches(shape, statement) for statement in held)
    ]
    evidence = {key: document, "missing_ids": missing_ids, "missing_statements": missing}
    if missing_ids or missing:
        what = [f"statement id(s) {', '.join(missing_ids)}"] if missing_ids else []
        what += [f"{len(missing)} statement shape(s)"] if missing else []
        return Outcome("fail", f"{key} lacks {' and '.join(what)}", evidence)
    return Outcome("pass", f"{key} holds every required statement", evidence)


def _statements(document: dict[str, Any] | None) -> list[dict[str, Any]]:
    return statements(document) if document else []


def _principals(principal: Any) -> list[str]:
    if isinstance(principal, str):
        return [principal]
    if isinstance(principal, dict):
        return [str(p) for p in listed(principal.get("AWS"))]
    return [str(p) for p in listed(principal)] if isinstance(principal, list) else []


def _account_of(principal: str) -> str | None:
    if _ACCOUNT.match(principal):
        return principal
    match = _ARN_ACCOUNT.match(principal)
    return match.group(1) if match else None


def _trusting_conditions(condition: Any) -> dict[str, set[str]]:
    """What the statement's equality conditions pin the caller to, by kind."""
    pinned: dict[str, set[str]] = {}
    if not isinstance(condition, dict):
        return pinned
    for operator, clauses in condition.items():
        if str(operator).lower().removeprefix("forallvalues:").removeprefix(
            "foranyvalue:"
        ) not in _NARROWING_OPERATORS or not isinstance(clauses, dict):
            continue
        for name, values in clauses.items():
            kind = _TRUSTING_KEYS.get(str(name).lower())
            if kind is not None:
                pinned.setdefault(kind, set()).update(str(v) for v in listed(values))
    return pinned


@CHECKS.register("policy-cross-account", args=CrossAccountArgs)
def policy_cross_account(
    config: dict[str, Any],
    key: str,
    allowed_accounts: list[str],
    allowed_org_ids: list[str],
    allowed_vpcs: list[str],
    allowed_vpces: list[str],
    everyone_only: bool,
) -> Outcome:
    """Fail when an Allow statement grants a principal outside the trusted accounts."""
    document = _document(config, key)
    if isinstance(document, str):
        return Outcome("error", document, {key: compile_path(key)(config)})
    own = own_account(config)
    trusted = {
        "accounts": set(allowed_accounts) | ({own} if own else set()),
        "orgs": set(allowed_org_ids),
        "vpcs": set(allowed_vpcs),
        "vpces": set(allowed_vpces),
    }
    offending: list[dict[str, Any]] = []
    for statement in _statements(document):
        if statement.get("Effect") != "Allow":
            continue
        pinned = _trusting_conditions(statement.get("Condition"))
        if any(values and values <= trusted[kind] for kind, values in pinned.items()):
            continue  # the condition only lets trusted callers in
        principal = statement.get("Principal")
        outsiders: list[str] = []
        if public_principal(principal):
            outsiders.append("*")
        elif not everyone_only:
            for name in _principals(principal):
                account = _account_of(name)
                if account is not None and account not in trusted["accounts"]:
                    outsiders.append(name)
        if outsiders:
            offending.append({"Sid": statement.get("Sid"), "principals": outsiders})
    evidence = {key: document, "cross_account": offending}
    if offending:
        who = sorted({name for found in offending for name in found["principals"]})
        return Outcome(
            "fail",
            f"{key} allows principals outside the trusted accounts: {', '.join(who)}",
            evidence,
        )
    return Outcome("pass", f"{key} allows no principal outside the trusted accounts", evidence)
