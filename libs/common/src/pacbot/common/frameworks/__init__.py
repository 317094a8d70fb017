"""Compliance frameworks as data: one YAML file per framework version in this folder.

A framework is an id (what policies name in ``frameworks:``), a name, a version, sections and
controls; each control has an id, a title, an optional description, a section, an assessment
status (``automated`` or ``manual``) and an optional profile. Adding a framework is adding one
``<id>.yaml`` here; ``framework-schema.json`` (generated from ``Framework``) is its JSON Schema.
``FrameworkOut`` / ``FrameworkDetail`` are the assessor's ``/frameworks`` answers, as its peers read
them.
"""

from pacbot.common.frameworks._contract import (
    ControlOut,
    FrameworkDetail,
    FrameworkList,
    FrameworkOut,
    MappedPolicy,
)
from pacbot.common.frameworks._loader import (
    SCHEMA_FILE,
    SHIPPED,
    Catalogue,
    FrameworkError,
    MappingProblem,
    load_catalogue,
    load_framework,
    shipped_catalogue,
)
from pacbot.common.frameworks._model import (
    Assessment,
    Control,
    Framework,
    Section,
    framework_json_schema,
)

__all__ = [
    "SCHEMA_FILE",
    "SHIPPED",
    "Assessment",
    "Catalogue",
    "Control",
    "ControlOut",
    "Framework",
    "FrameworkDetail",
    "FrameworkError",
    "FrameworkList",
    "FrameworkOut",
    "MappedPolicy",
    "MappingProblem",
    "Section",
    "framework_json_schema",
    "load_catalogue",
    "load_framework",
    "shipped_catalogue",
]
