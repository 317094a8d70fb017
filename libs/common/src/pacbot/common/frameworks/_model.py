"""A compliance framework as written in its YAML file: sections and controls.

The model is the framework schema: ``framework-schema.json`` next to the framework files is
generated from it (``framework_json_schema``), and a test fails when the two drift apart.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Assessment = Literal["automated", "manual"]
CONTROL_ID = r"^[A-Za-z0-9][A-Za-z0-9._()-]*$"
"""Control ids as frameworks print them: ``1.17``, ``2.1.4``, ``AC-2(1)``, ``CC6.1``."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Section(_Strict):
    """A chapter of the framework; ``parent`` names the enclosing section, declared before it."""

    id: str = Field(pattern=CONTROL_ID, max_length=40)
    title: str = Field(min_length=1)
    parent: str | None = None


class Control(_Strict):
    """One requirement: ``manual`` ones need a person's judgement, even where a policy helps."""

    id: str = Field(pattern=CONTROL_ID, max_length=40)
    title: str = Field(min_length=1)
    description: str | None = Field(
        default=None, min_length=1, description="What the requirement asks, in a sentence or two"
    )
    section: str
    assessment: Assessment
    profile: str | None = Field(default=None, description="e.g. CIS 'Level 1' / 'Level 2'")

    @property
    def automated(self) -> bool:
        """The framework says a tool can judge it."""
        return self.assessment == "automated"


class Framework(_Strict):
    """A versioned framework; ``id`` is what policies name in ``frameworks:``."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$", max_length=60)
    name: str = Field(min_length=1)
    version: str = Field(min_length=1)
    publisher: str = Field(min_length=1)
    url: str | None = None
    sections: list[Section] = Field(min_length=1)
    controls: list[Control] = Field(min_length=1)

    def control(self, control_id: str) -> Control | None:
        """The control with this id, if the framework has it."""
        return next((c for c in self.controls if c.id == control_id), None)

    def section_trail(self, section_id: str) -> list[Section]:
        """The section and its ancestors, outermost first."""
        by_id = {s.id: s for s in self.sections}
        trail: list[Section] = []
        current = by_id.get(section_id)
        while current is not None and current not in trail:
            trail.insert(0, current)
            current = by_id.get(current.parent) if current.parent else None
        return trail

    @property
    def automated(self) -> int:
        """How many controls a tool can judge."""
        return sum(1 for c in self.controls if c.automated)


SCHEMA_ID = "https://pacbot.dev/schemas/framework.json"


def framework_json_schema() -> dict[str, Any]:
    """JSON Schema of a framework file, as shipped in ``framework-schema.json``."""
    schema = Framework.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "PacBot compliance framework"
    return schema
