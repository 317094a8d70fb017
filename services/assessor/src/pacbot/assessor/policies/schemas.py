"""HTTP shapes of the policy endpoints (contracts.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pacbot.assessor.models import PolicyChange
from pacbot.assessor.policies.loader import PolicyError
from pacbot.assessor.policies.registry import ReplayOutcome
from pacbot.assessor.policies.service import ActivePolicy


class AutofixOut(BaseModel):
    """The fix as autofix will see it; ``grace_seconds`` includes any configured override."""

    action: str
    grace_seconds: float
    params: dict[str, Any]


class RemediationOut(BaseModel):
    """How a person fixes it."""

    text: str
    links: list[str]


class PolicyOut(BaseModel):
    """One policy in the registry."""

    id: str
    version: int
    name: str
    description: str
    resource: str
    severity: str
    category: str
    enabled: bool
    autofix: AutofixOut | None
    frameworks: dict[str, list[str]]
    remediation: RemediationOut

    @classmethod
    def of(cls, active: ActivePolicy, grace_override: float | None) -> PolicyOut:
        """Project a policy and its registry state."""
        doc = active.policy.document
        ref = active.policy.ref(grace_override)
        autofix = None
        if ref.autofix is not None:
            autofix = AutofixOut(**ref.autofix.model_dump())
        return cls(
            id=doc.id,
            version=doc.version,
            name=doc.name,
            description=doc.description,
            resource=doc.resource,
            severity=doc.severity,
            category=doc.category,
            enabled=active.enabled,
            autofix=autofix,
            frameworks=doc.frameworks,
            remediation=RemediationOut(text=doc.remediation.text, links=doc.remediation.links),
        )


class PolicyList(BaseModel):
    """``GET /policies``: one page, how many policies match in all, and the next page's cursor."""

    items: list[PolicyOut]
    total: int
    next_cursor: str | None = None


class PolicyErrorOut(BaseModel):
    """A policy file that was rejected, and where."""

    file: str
    line: int
    path: str
    message: str

    @classmethod
    def of(cls, error: PolicyError) -> PolicyErrorOut:
        """Project a load error."""
        return cls(file=error.file, line=error.line, path=error.path, message=error.message)


class PolicyErrorList(BaseModel):
    """``GET /policies/errors``: a page of load errors, and the next page's cursor."""

    items: list[PolicyErrorOut]
    next_cursor: str | None = None


class ParamOut(BaseModel):
    """A declared parameter: its YAML default and the value evaluation uses now."""

    default: Any
    value: Any
    overridden: bool
    description: str


class PolicyDetail(PolicyOut):
    """``GET /policies/{id}``: the contract fields plus params and registry revision."""

    params: dict[str, ParamOut]
    revision: int
    updated_at: datetime | None

    @classmethod
    def detail(cls, active: ActivePolicy, grace_override: float | None) -> PolicyDetail:
        """Project a policy with its effective params."""
        base = PolicyOut.of(active, grace_override).model_dump()
        doc = active.policy.document
        params = {
            name: ParamOut(
                default=spec.default,
                value=active.params.get(name),
                overridden=name in active.overrides,
                description=spec.description,
            )
            for name, spec in doc.params.items()
        }
        return cls(**base, params=params, revision=active.revision, updated_at=active.updated_at)


class PolicyPatch(BaseModel):
    """``PATCH /policies/{id}``: what to change and why; who changes it is the signed caller."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool | None = None
    params: dict[str, Any] | None = None
    reason: str | None = Field(default=None, max_length=2000)


class PolicyChangeOut(BaseModel):
    """One audited registry change."""

    policy_id: str
    revision: int
    changed_at: datetime
    changed_by: str
    reason: str | None
    changes: dict[str, Any]

    @classmethod
    def of(cls, row: PolicyChange) -> PolicyChangeOut:
        """Project an audit row."""
        return cls(
            policy_id=row.policy_id,
            revision=row.revision,
            changed_at=row.changed_at,
            changed_by=row.changed_by,
            reason=row.reason,
            changes=row.changes,
        )


class ReplayOut(BaseModel):
    """The replay asked of inventory after the change committed."""

    status: str
    replayed: int | None
    error: str | None

    @classmethod
    def of(cls, outcome: ReplayOutcome) -> ReplayOut:
        """Project a replay outcome."""
        return cls(status=outcome.status, replayed=outcome.replayed, error=outcome.error)


class PolicyPatchResult(BaseModel):
    """The policy after the change, the audit entry (null if nothing changed), the replay."""

    policy: PolicyDetail
    change: PolicyChangeOut | None
    replay: ReplayOut


class PolicyHistory(BaseModel):
    """``GET /policies/{id}/history``: a page of changes, newest first, and the next cursor."""

    policy_id: str
    revision: int
    items: list[PolicyChangeOut]
    next_cursor: str | None = None


class WhatIfFinding(BaseModel):
    """An asset the draft fails (or errors on), and why."""

    asset_id: str
    name: str | None
    reason: str


class WhatIfOut(BaseModel):
    """``POST /policies/whatif``: the draft's verdicts over the current assets."""

    policy_id: str
    resource: str
    evaluated: int
    would_fail: list[WhatIfFinding]
    would_pass: int
    not_applicable: int
    errors: list[WhatIfFinding]
    would_open: list[str]
    would_close: list[str]
    current: dict[str, Any]
