"""``/frameworks``, and policies that map to unknown frameworks or controls refused at load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import update

from pacbot.assessor.frameworks.mappings import load_pack
from pacbot.assessor.models import PolicyState
from pacbot.assessor.policies.loader import load_policies
from pacbot.assessor.settings import SHIPPED_PACKS
from pacbot.common.frameworks import SHIPPED, Framework, load_catalogue, shipped_catalogue
from pacbot.common.testing import check_cursor_paging
from services.assessor.tests.conftest import SKELETON_PACK

PUBLIC = "aws-s3-bucket-public-access"
ENCRYPTION = "aws-s3-bucket-default-encryption"
_CIS = shipped_catalogue().get("cis-aws-3.0")
assert _CIS is not None
CIS: Framework = _CIS


def test_every_shipped_mapping_names_a_control_of_the_catalogue() -> None:
    pack = load_policies([SHIPPED_PACKS])
    problems = {
        policy.id: [p.message for p in shipped_catalogue().mapping_problems(mapping)]
        for policy in pack.policies
        if (mapping := policy.document.frameworks)
    }
    assert {k: v for k, v in problems.items() if v} == {}
    assert len(problems) >= 60, "the pack maps its CIS policies"
    checked = load_pack([SHIPPED_PACKS], shipped_catalogue())
    assert checked.errors == []
    assert [p.id for p in checked.policies] == [p.id for p in pack.policies]


def _policy(policy_id: str, frameworks: str) -> str:
    return (
        (SKELETON_PACK / "s3-bucket-public-access.yaml")
        .read_text()
        .replace("id: aws-s3-bucket-public-access", f"id: {policy_id}")
        .replace('frameworks:\n  cis-aws-3.0: ["2.1.4"]\n', frameworks)
    )


def test_unknown_frameworks_and_controls_are_load_errors_with_file_line_and_path(
    tmp_path: Path,
) -> None:
    (tmp_path / "good.yaml").write_text(_policy("good", 'frameworks:\n  cis-aws-3.0: ["2.1.4"]\n'))
    (tmp_path / "control.yaml").write_text(
        _policy("bad-control", 'frameworks:\n  cis-aws-3.0:\n    - "2.1.4"\n    - "2.1.9"\n')
    )
    (tmp_path / "framework.yaml").write_text(
        _policy("bad-framework", 'frameworks:\n  acme-internal-1.0: ["1.2.3"]\n')
    )
    report = load_pack([tmp_path], shipped_catalogue())
    assert [p.id for p in report.policies] == ["good"]
    errors = {e.file: e for e in report.errors}
    control = errors["control.yaml"]
    text = (tmp_path / "control.yaml").read_text().splitlines()
    assert text[control.line - 1].strip() == '- "2.1.9"'
    assert control.path == "frameworks.cis-aws-3.0[1]"
    assert control.message == (
        "'2.1.9' is not a control of cis-aws-3.0 "
        "(CIS Amazon Web Services Foundations Benchmark 3.0.0)"
    )
    framework = errors["framework.yaml"]
    text = (tmp_path / "framework.yaml").read_text().splitlines()
    assert text[framework.line - 1].strip().startswith("acme-internal-1.0:")
    assert framework.path == "frameworks.acme-internal-1.0"
    known = ", ".join(f.id for f in shipped_catalogue().frameworks)
    assert framework.message == f"unknown framework 'acme-internal-1.0' (known: {known})"
    assert "cis-aws-3.0" in known
    single = load_pack([tmp_path / "control.yaml"], shipped_catalogue())
    assert [str(e) for e in single.errors] == [str(control)]


async def test_the_service_refuses_them_and_serves_the_rest(kit: Any, tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(_policy("good", 'frameworks:\n  cis-aws-3.0: ["1.17"]\n'))
    (tmp_path / "bad.yaml").write_text(_policy("bad", 'frameworks:\n  cis-aws-3.0: ["1.99"]\n'))
    async with kit.running(kit.app(policy_paths=[str(tmp_path)])) as client:
        policies = (await client.get("/policies")).json()["items"]
        errors = (await client.get("/policies/errors")).json()["items"]
    assert [p["id"] for p in policies] == ["good"]
    assert [(e["file"], e["path"]) for e in errors] == [("bad.yaml", "frameworks.cis-aws-3.0[0]")]


async def test_the_list_counts_controls_and_their_coverage(kit: Any) -> None:
    async with kit.running(kit.app()) as client:
        response = await client.get("/frameworks")
    assert response.status_code == 200
    listed = response.json()
    assert listed["total"] == len(shipped_catalogue().frameworks) == len(listed["items"])
    assert listed["next_cursor"] is None
    [cis] = [f for f in listed["items"] if f["framework_id"] == "cis-aws-3.0"]
    assert cis == {
        "framework_id": "cis-aws-3.0",
        "name": "CIS Amazon Web Services Foundations Benchmark",
        "version": "3.0.0",
        "publisher": "Center for Internet Security",
        "url": "https://www.cisecurity.org/benchmark/amazon_web_services",
        "controls": 62,
        "automated": 54,
        "manual": 8,
        "mapped_controls": 2,  # the skeleton pack: 2.1.1 and 2.1.4
        "mapped_automated": 2,
        "policies": 2,
    }


async def test_one_framework_lists_every_control_with_its_policies(kit: Any) -> None:
    app = kit.app()
    async with kit.running(app) as client:
        async with app.state.runtime.db.session() as session:
            await session.execute(
                update(PolicyState).where(PolicyState.policy_id == PUBLIC).values(enabled=False)
            )
        response = await client.get("/frameworks/cis-aws-3.0")
        missing = await client.get("/frameworks/cis-aws-9.9")
        soc2 = (await client.get("/frameworks/soc2")).json()
    assert response.status_code == 200
    body = response.json()
    assert (body["controls"], body["total"], body["next_cursor"]) == (62, 62, None)
    controls = {c["control_id"]: c for c in body["items"]}
    assert [c["control_id"] for c in body["items"]] == [c.id for c in CIS.controls]
    assert controls["2.1.4"] == {
        "control_id": "2.1.4",
        "title": "Ensure that S3 Buckets are configured with "
        "'Block public access (bucket settings)'",
        "description": None,
        "section": "Storage",
        "subsection": "Simple Storage Service (S3)",
        "profile": "Level 1",
        "automated": True,
        "policies": [
            {
                "policy_id": PUBLIC,
                "name": "S3 buckets must not be publicly accessible",
                "severity": "critical",
                "category": "security",
                "enabled": False,
            }
        ],
    }
    assert [p["policy_id"] for p in controls["2.1.1"]["policies"]] == [ENCRYPTION]
    assert controls["2.1.1"]["policies"][0]["enabled"] is True
    manual = controls["1.1"]
    described = shipped_catalogue().get("soc2")
    assert described is not None
    cc61 = next(c for c in soc2["items"] if c["control_id"] == "CC6.1")
    assert cc61["description"] == described.control("CC6.1").description  # type: ignore[union-attr]
    assert cc61["description"], "the general frameworks describe their requirements"
    assert (manual["automated"], manual["policies"], manual["subsection"]) == (False, [], None)
    assert sum(1 for c in body["items"] if c["policies"]) == body["mapped_controls"] == 2
    assert missing.status_code == 404
    assert missing.json()["field"] == "framework_id"


async def test_both_lists_page_like_every_list(kit: Any, tmp_path: Path) -> None:
    folder = tmp_path / "frameworks"
    folder.mkdir()
    source = (SHIPPED / "cis-aws-3.0.yaml").read_text()
    for version in ("1.0", "2.0", "3.0"):
        (folder / f"cis-aws-{version}.yaml").write_text(
            source.replace("id: cis-aws-3.0", f"id: cis-aws-{version}")
        )
    app = kit.app()
    app.state.frameworks = load_catalogue([folder])
    async with kit.running(app) as client:
        await check_cursor_paging(
            client,
            "/frameworks",
            expected=["cis-aws-1.0", "cis-aws-2.0", "cis-aws-3.0"],
            key="framework_id",
            elsewhere="/frameworks/cis-aws-1.0",
        )
        await check_cursor_paging(
            client,
            "/frameworks/cis-aws-3.0",
            expected=[c.id for c in CIS.controls],
            key="control_id",
            elsewhere="/frameworks/cis-aws-2.0",
            limit=25,
        )
