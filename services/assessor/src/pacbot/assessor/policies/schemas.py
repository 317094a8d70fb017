"""HTTP shapes of the policy endpoints (contracts.md)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from pacbot.assessor.policies.loader import PolicyError
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
    """``GET /policies``."""

    items: list[PolicyOut]


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
    """``GET /policies/errors``."""

    items: list[PolicyErrorOut]
