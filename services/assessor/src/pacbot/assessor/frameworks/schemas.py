"""HTTP shapes of ``/frameworks`` (docs/contracts.md, assessor)."""

from __future__ import annotations

from pydantic import BaseModel

from pacbot.assessor.frameworks.service import ControlCoverage, FrameworkCoverage


class FrameworkOut(BaseModel):
    """A framework and how much of it the loaded policies cover."""

    framework_id: str
    name: str
    version: str
    publisher: str
    url: str | None
    controls: int
    automated: int
    manual: int
    mapped_controls: int
    mapped_automated: int
    policies: int

    @classmethod
    def of(cls, covered: FrameworkCoverage) -> FrameworkOut:
        """The summary fields of one framework."""
        framework = covered.framework
        return cls(
            framework_id=framework.id,
            name=framework.name,
            version=framework.version,
            publisher=framework.publisher,
            url=framework.url,
            controls=len(framework.controls),
            automated=framework.automated,
            manual=len(framework.controls) - framework.automated,
            mapped_controls=covered.mapped_controls,
            mapped_automated=covered.mapped_automated,
            policies=covered.policies,
        )


class FrameworkList(BaseModel):
    """``GET /frameworks``."""

    items: list[FrameworkOut]
    total: int
    next_cursor: str | None = None


class MappedPolicy(BaseModel):
    """A policy that judges a control, with its registry state."""

    policy_id: str
    name: str
    severity: str
    category: str
    enabled: bool


class ControlOut(BaseModel):
    """One control; ``section`` is the outermost section, ``subsection`` the nearest if nested."""

    control_id: str
    title: str
    section: str
    subsection: str | None
    profile: str | None
    automated: bool
    policies: list[MappedPolicy]

    @classmethod
    def of(
        cls, covered: FrameworkCoverage, row: ControlCoverage, enabled: dict[str, bool]
    ) -> ControlOut:
        """A control with its mapped policies (``enabled``: the registry state by policy id)."""
        control = row.control
        trail = covered.framework.section_trail(control.section)
        return cls(
            control_id=control.id,
            title=control.title,
            section=trail[0].title,
            subsection=trail[-1].title if len(trail) > 1 else None,
            profile=control.profile,
            automated=control.automated,
            policies=[
                MappedPolicy(
                    policy_id=p.id,
                    name=p.document.name,
                    severity=p.document.severity,
                    category=p.document.category,
                    enabled=enabled.get(p.id, p.document.enabled),
                )
                for p in row.policies
            ],
        )


class FrameworkDetail(FrameworkOut):
    """``GET /frameworks/{framework_id}``: the summary and a page of its controls, in order."""

    items: list[ControlOut]
    total: int
    next_cursor: str | None = None
