"""Compliance frameworks as data: one YAML file per framework version in this folder.

A framework is an id (what policies name in ``frameworks:``), a name, a version, sections and
controls; each control has an id, a title, a section, an assessment status (``automated`` or
``manual``) and an optional profile. Adding a framework is adding one ``<id>.yaml`` here.
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
    SHIPPED,
    Catalogue,
    FrameworkError,
    MappingProblem,
    load_catalogue,
    load_framework,
    shipped_catalogue,
)
from pacbot.common.frameworks._model import Assessment, Control, Framework, Section

__all__ = [
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
    "load_catalogue",
    "load_framework",
    "shipped_catalogue",
]
