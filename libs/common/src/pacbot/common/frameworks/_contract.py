"""The HTTP shape of the assessor's ``/frameworks`` answers, which the violations service reads."""

from __future__ import annotations

from pydantic import BaseModel


class FrameworkOut(BaseModel):
    """A framework, its size and how many of its controls the loaded policies judge."""

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
    description: str | None = None
    section: str
    subsection: str | None
    profile: str | None
    automated: bool
    policies: list[MappedPolicy]


class FrameworkDetail(FrameworkOut):
    """``GET /frameworks/{framework_id}``: the summary and a page of its controls, in order."""

    items: list[ControlOut]
    total: int
    next_cursor: str | None = None
