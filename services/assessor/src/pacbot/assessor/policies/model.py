"""The policy document as written in YAML: metadata, params, autofix, condition and examples."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from pacbot.assessor.conditions.schema import condition_json_schema

Severity = Literal["critical", "high", "medium", "low"]
Category = Literal["security", "governance", "cost", "tagging", "operations"]
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: Any) -> float:
    """Seconds from ``"24h"``, ``"30m"``, ``"5s"``, ``"2d"`` or a plain number of seconds."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as '24h', '30m', '5s' or seconds")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("a duration cannot be negative")
        return float(value)
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError("expected a duration such as '24h', '30m', '5s' or seconds")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*[smhd]?\s*$"},
            ],
            "description": "Seconds, or a duration such as '24h', '30m', '5s', '2d'.",
        }
    ),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Remediation(_Strict):
    """How a person fixes a failing resource."""

    text: str = Field(min_length=1)
    links: list[str] = Field(default_factory=list)


class ParamSpec(_Strict):
    """A tunable value the condition reads with ``{param: name}``."""

    default: Any
    description: str = ""


class Autofix(_Strict):
    """The fix autofix applies after the owner's grace period."""

    action: str = Field(min_length=1)
    grace_period: Duration = 0.0
    params: dict[str, Any] = Field(default_factory=dict)


class Examples(_Strict):
    """Configs the policy must pass and fail; the test suite and ``policy test`` run them."""

    passing: list[dict[str, Any]] = Field(default_factory=list, alias="pass")
    failing: list[dict[str, Any]] = Field(default_factory=list, alias="fail")


class ImportedFrom(_Strict):
    """Where an imported policy came from: the tool, the policy's name there, its file."""

    tool: Literal["cloud-custodian"]
    name: str = Field(min_length=1)
    file: str | None = None


class PolicyDocument(_Strict):
    """One policy file. ``condition`` describes a *compliant* resource: true means pass."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=200)
    version: int = Field(ge=1)
    name: str = Field(min_length=1)
    description: str
    resource: str = Field(pattern=r"^[a-z0-9]+(\.[a-z0-9_-]+)+$")
    severity: Severity
    category: Category
    frameworks: dict[str, list[str]] = Field(default_factory=dict)
    no_framework_reason: str | None = Field(
        default=None,
        min_length=20,
        pattern=r"\S",
        description=(
            "Why no control of any known framework applies to this policy (a cost or housekeeping "
            "check, say). Not allowed next to `frameworks` mappings; every shipped policy has one "
            "or the other."
        ),
    )
    remediation: Remediation
    params: dict[str, ParamSpec] = Field(default_factory=dict)
    autofix: Autofix | None = None
    enabled: bool = True
    condition: dict[str, Any]
    examples: Examples = Field(default_factory=Examples)
    imported_from: ImportedFrom | None = None

    @field_validator("no_framework_reason")
    @classmethod
    def _reason_or_mappings(cls, reason: str | None, info: ValidationInfo) -> str | None:
        if reason is not None and info.data.get("frameworks"):
            raise ValueError("a policy that maps to frameworks needs no no-framework reason")
        return reason

    def param_defaults(self) -> dict[str, Any]:
        """Each parameter's default value."""
        return {name: spec.default for name, spec in self.params.items()}


def policy_json_schema() -> dict[str, Any]:
    """JSON Schema of a policy file, with the condition grammar and every registered check."""
    schema = PolicyDocument.model_json_schema(by_alias=True)
    schema["$defs"] = {**schema.get("$defs", {}), **condition_json_schema()}
    schema["properties"]["condition"] = {"$ref": "#/$defs/Condition"}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
