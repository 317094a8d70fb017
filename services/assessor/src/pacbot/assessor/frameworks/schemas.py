"""The ``/frameworks`` answers (shapes in ``pacbot.common.frameworks``) built from coverage."""

from __future__ import annotations

from pacbot.assessor.frameworks.service import ControlCoverage, FrameworkCoverage
from pacbot.common.frameworks import ControlOut, FrameworkOut, MappedPolicy


def framework_out(covered: FrameworkCoverage) -> FrameworkOut:
    """The summary fields of one framework."""
    framework = covered.framework
    return FrameworkOut(
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


def control_out(
    covered: FrameworkCoverage, row: ControlCoverage, enabled: dict[str, bool]
) -> ControlOut:
    """A control with its mapped policies (``enabled``: the registry state by policy id)."""
    control = row.control
    trail = covered.framework.section_trail(control.section)
    return ControlOut(
        control_id=control.id,
        title=control.title,
        description=control.description,
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
