"""The framework catalogue: the shipped files, their JSON Schema, and errors that name file,
line and path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from pacbot.common.frameworks import (
    SCHEMA_FILE,
    SHIPPED,
    FrameworkError,
    framework_json_schema,
    load_catalogue,
    load_framework,
    shipped_catalogue,
)

MINIMAL = """\
id: demo-1.0
name: Demo framework
version: "1.0"
publisher: PacBot tests
sections:
  - {id: "1", title: One}
  - {id: "1.1", title: One point one, parent: "1"}
controls:
  - {id: "1.1.1", title: First, section: "1.1", assessment: automated, profile: Level 1}
  - {id: "1.2", title: Second, section: "1", assessment: manual}
"""


def write(folder: Path, text: str, name: str = "demo-1.0.yaml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_cis_aws_3_0_has_every_control_of_the_benchmark() -> None:
    cis = shipped_catalogue().get("cis-aws-3.0")
    assert cis is not None
    assert (cis.name, cis.version) == ("CIS Amazon Web Services Foundations Benchmark", "3.0.0")
    ids = [c.id for c in cis.controls]
    per_section = {s: sum(1 for i in ids if i.split(".")[0] == s) for s in "12345"}
    assert per_section == {"1": 22, "2": 9, "3": 9, "4": 16, "5": 6}
    assert len(ids) == len(set(ids)) == 62
    manual = sorted((c.id for c in cis.controls if not c.automated), key=_natural)
    assert manual == ["1.1", "1.2", "1.3", "1.18", "1.21", "1.22", "2.1.3", "5.5"]
    assert cis.automated == 54
    assert {c.profile for c in cis.controls} == {"Level 1", "Level 2"}
    support = cis.control("1.17")
    assert support is not None
    assert "support role" in support.title
    public = cis.control("2.1.4")
    assert public is not None
    assert [s.title for s in cis.section_trail(public.section)] == [
        "Storage",
        "Simple Storage Service (S3)",
    ]
    assert ids == sorted(ids, key=_natural), "the file lists controls in the benchmark's order"


def test_cis_aws_4_0_renumbers_storage_and_networking() -> None:
    cis = shipped_catalogue().get("cis-aws-4.0")
    assert cis is not None
    assert cis.version == "4.0.1"
    ids = [c.id for c in cis.controls]
    assert len(ids) == len(set(ids)) == 64
    assert ids == sorted(ids, key=_natural), "the file lists controls in the benchmark's order"
    assert cis.automated == 37
    titles = {c.id: c.title for c in cis.controls}
    assert "EBS" in titles["5.1.1"]
    assert "RDS" in titles["2.2.1"]
    assert "IMDSv2" in titles["5.7"]
    monitoring = [c for c in cis.controls if c.section == "4"]
    assert [c.id for c in monitoring if c.automated] == ["4.1", "4.16"]


def test_fsbp_names_controls_as_security_hub_does() -> None:
    fsbp = shipped_catalogue().get("aws-fsbp")
    assert fsbp is not None
    sections = {s.id for s in fsbp.sections}
    for control in fsbp.controls:
        service, number = control.id.rsplit(".", 1)
        assert (service, number.isdigit()) == (control.section, True), control.id
    assert sections == {c.section for c in fsbp.controls}, "no empty service sections"
    for known in ("S3.1", "S3.8", "EC2.19", "EC2.53", "IAM.4", "KMS.4", "RDS.3", "CloudTrail.1"):
        assert fsbp.control(known) is not None, known
    assert fsbp.automated == len(fsbp.controls) >= 280


@pytest.mark.parametrize(
    ("framework_id", "known", "size"),
    [
        ("nist-800-53-r5", ["AC-2", "AC-2(3)", "IA-5(1)", "SC-28(1)"], None),
        ("pci-dss-4.0", ["1.3.1", "3.5.1", "8.3.6", "10.5.1"], None),
        ("soc2", ["CC6.1", "CC7.2", "A1.2"], None),
        ("iso-27001-2022", ["A.5.15", "A.8.24", "A.8.28"], 93),
    ],
)
def test_the_general_frameworks_describe_every_control(
    framework_id: str, known: list[str], size: int | None
) -> None:
    framework = shipped_catalogue().get(framework_id)
    assert framework is not None
    for control_id in known:
        assert framework.control(control_id) is not None, control_id
    assert all(c.description for c in framework.controls), "each says what it asks"
    assert 0 < framework.automated < len(framework.controls), "some need a person's judgement"
    if size is not None:
        assert len(framework.controls) == size


def _natural(control_id: str) -> list[int]:
    return [int(part) for part in control_id.split(".")]


def test_a_minimal_framework_loads(tmp_path: Path) -> None:
    framework = load_framework(write(tmp_path, MINIMAL))
    assert framework.id == "demo-1.0"
    assert [c.automated for c in framework.controls] == [True, False]
    assert [s.id for s in framework.section_trail("1.1")] == ["1", "1.1"]
    assert framework.control("9") is None
    catalogue = load_catalogue([tmp_path])
    assert [f.id for f in catalogue.frameworks] == ["demo-1.0"]


MISTAKES = [
    ("name: Demo framework\n", "", "name", 1, "required field is missing", True),
    ('version: "1.0"', "version: 1.0", "version", 3, "expected text", True),
    ('id: "1.1.1", title: First', "id: 1.10, title: First", "controls[0].id", 9, "quote ids", True),
    (
        "profile: Level 1}",
        "profile: Level 1, level: 1}",
        "controls[0].level",
        9,
        "unknown field",
        True,
    ),
    ("assessment: manual", "assessment: maybe", "controls[1].assessment", 10, "'automated'", True),
    (
        'id: "1.2", title: Second',
        'id: "1.1.1", title: Second',
        "controls[1].id",
        10,
        "duplicate",
        False,
    ),
    (
        'section: "1", assessment',
        'section: "7", assessment',
        "controls[1].section",
        10,
        "'7'",
        False,
    ),
    ('parent: "1"}', 'parent: "2"}', "sections[1].parent", 7, "declared before", False),
    ("id: demo-1.0", "id: other-1.0", "id", 1, "must match the file name", False),
    ("id: demo-1.0", "id: Demo 1", "id", 1, "should match pattern", True),
    ("controls:\n", "controls: []\nx:\n", "controls", 8, "at least 1", True),
    (
        "title: Second,",
        "title: Second, description: '',",
        "controls[1].description",
        10,
        "at least 1",
        True,
    ),
]
"""Each mistake, where it is reported, and whether the JSON Schema alone catches it (the others
are references and names the loader checks)."""


@pytest.mark.parametrize(("old", "new", "path", "line", "message", "schema"), MISTAKES)
def test_each_mistake_names_the_file_the_line_and_the_path(
    tmp_path: Path, old: str, new: str, path: str, line: int, message: str, schema: bool
) -> None:
    assert old in MINIMAL
    with pytest.raises(FrameworkError) as caught:
        load_framework(write(tmp_path, MINIMAL.replace(old, new, 1)))
    error = caught.value
    assert (error.file, error.path, error.line) == ("demo-1.0.yaml", path, line), str(error)
    assert message in error.message
    assert str(error) == f"demo-1.0.yaml:{line}: {path}: {error.message}"


@pytest.mark.parametrize(("old", "new", "path", "line", "message", "schema"), MISTAKES)
def test_the_json_schema_refuses_what_the_model_refuses(
    old: str, new: str, path: str, line: int, message: str, schema: bool
) -> None:
    document = yaml.safe_load(MINIMAL.replace(old, new, 1))
    errors = list(_validator().iter_errors(document))
    if schema:
        assert errors, f"the schema lets {path} through"
    else:
        assert errors == [], "a reference problem: the loader's job, not the schema's"


def _validator() -> Any:
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_shipped_schema_is_generated_from_the_model() -> None:
    published = json.loads(SCHEMA_FILE.read_text())
    assert published == framework_json_schema(), (
        "framework-schema.json is stale: regenerate it (docs/policies.md says how)"
    )


def test_every_shipped_framework_conforms_to_the_json_schema() -> None:
    files = sorted(SHIPPED.glob("*.yaml"))
    assert len(files) == len(shipped_catalogue().frameworks)
    for path in files:
        errors = [e.message for e in _validator().iter_errors(yaml.safe_load(path.read_text()))]
        assert errors == [], path.name


def test_the_line_is_where_the_mistake_is_in_a_block_style_file(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        '  - {id: "1.2", title: Second, section: "1", assessment: manual}\n',
        '  - id: "1.2"\n'
        "    title: Second\n"
        '    section: "1"\n'
        "    assessment: manual\n"
        "    owner: nobody\n",
    )
    with pytest.raises(FrameworkError) as caught:
        load_framework(write(tmp_path, text))
    error = caught.value
    assert (error.path, error.message) == ("controls[1].owner", "unknown field")
    assert text.splitlines()[error.line - 1] == "    owner: nobody"
    missing = text.replace("    title: Second\n", "").replace("    owner: nobody\n", "")
    with pytest.raises(FrameworkError) as caught:
        load_framework(write(tmp_path, missing))
    assert caught.value.path == "controls[1].title"
    assert missing.splitlines()[caught.value.line - 1] == '  - id: "1.2"'


def test_invalid_yaml_points_at_its_line(tmp_path: Path) -> None:
    with pytest.raises(FrameworkError) as caught:
        load_framework(write(tmp_path, MINIMAL.replace("publisher: PacBot tests", "publisher: [")))
    assert caught.value.path == "<root>"
    assert "invalid YAML" in caught.value.message
    assert caught.value.line >= 4


@pytest.mark.parametrize(
    ("text", "message"),
    [("id: [unclosed\n", "invalid YAML"), ("- a list\n", "expected a mapping")],
)
def test_a_file_that_is_no_document_is_an_error_at_its_root(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(FrameworkError, match=rf"demo-1\.0\.yaml:\d+: <root>: {message}"):
        load_framework(write(tmp_path, text))


def test_one_id_in_two_folders_is_refused(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        write(tmp_path / folder, MINIMAL)
    with pytest.raises(FrameworkError, match=r"demo-1\.0\.yaml:1: id: 'demo-1\.0' is also"):
        load_catalogue([tmp_path / "a", tmp_path / "b"])


def test_policy_mappings_are_checked_against_the_catalogue(tmp_path: Path) -> None:
    write(tmp_path, MINIMAL)
    catalogue = load_catalogue([tmp_path])
    assert catalogue.mapping_problems({"demo-1.0": ["1.1.1", "1.2"]}) == []
    problems = catalogue.mapping_problems({"demo-1.0": ["1.1.1", "9.9"], "nist": ["AC-2"]})
    assert [(p.path, p.message) for p in problems] == [
        (("frameworks", "demo-1.0", 1), "'9.9' is not a control of demo-1.0 (Demo framework 1.0)"),
        (("frameworks", "nist"), "unknown framework 'nist' (known: demo-1.0)"),
    ]
