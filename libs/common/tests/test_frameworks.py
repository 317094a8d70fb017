"""The framework catalogue: the shipped CIS AWS 3.0 file, and errors that name file and path."""

from __future__ import annotations

from pathlib import Path

import pytest

from pacbot.common.frameworks import (
    FrameworkError,
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


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        ("name: Demo framework\n", "", "name", "required field is missing"),
        ('version: "1.0"', "version: 1.0", "version", "expected text"),
        ('id: "1.1.1", title: First', "id: 1.10, title: First", "controls[0].id", "quote ids"),
        ("profile: Level 1}", "profile: Level 1, level: 1}", "controls[0].level", "unknown field"),
        ("assessment: manual", "assessment: maybe", "controls[1].assessment", "'automated'"),
        ('id: "1.2", title: Second', 'id: "1.1.1", title: Second', "controls[1].id", "duplicate"),
        ('section: "1", assessment', 'section: "7", assessment', "controls[1].section", "'7'"),
        ('parent: "1"}', 'parent: "2"}', "sections[1].parent", "declared before"),
        ("id: demo-1.0", "id: other-1.0", "id", "must match the file name"),
        ("id: demo-1.0", "id: Demo 1", "id", "should match pattern"),
        ("controls:\n", "controls: []\nx:\n", "controls", "at least 1"),
    ],
)
def test_each_mistake_names_the_file_and_the_path(
    tmp_path: Path, old: str, new: str, path: str, message: str
) -> None:
    assert old in MINIMAL
    with pytest.raises(FrameworkError) as caught:
        load_framework(write(tmp_path, MINIMAL.replace(old, new, 1)))
    error = caught.value
    assert (error.file, error.path) == ("demo-1.0.yaml", path), str(error)
    assert message in error.message
    assert str(error).startswith(f"demo-1.0.yaml: {path}: ")


@pytest.mark.parametrize(
    ("text", "message"),
    [("id: [unclosed\n", "invalid YAML"), ("- a list\n", "expected a mapping")],
)
def test_a_file_that_is_no_document_is_an_error_at_its_root(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(FrameworkError, match=rf"demo-1\.0\.yaml: <root>: {message}"):
        load_framework(write(tmp_path, text))


def test_one_id_in_two_folders_is_refused(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        write(tmp_path / folder, MINIMAL)
    with pytest.raises(FrameworkError, match=r"demo-1\.0\.yaml: id: 'demo-1\.0' is also"):
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
