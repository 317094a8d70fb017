"""What-if: a draft evaluated against inventory's current assets, diffed against the live policy."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from pacbot.assessor.policies import router as policies_router
from pacbot.assessor.policies import whatif, whatif_report
from pacbot.common.events import EVALUATIONS_TOPIC, POLICIES_TOPIC
from pacbot.common.testing import SignedAs, served
from services.assessor.tests.registry_fixtures import (
    GRANTS_POLICY,
    FakeInventory,
    asset,
    registry_app,
    write_policies,
)

# live policy (max_grants 0): fails one-grant, two-grants; passes clean.
ASSETS = [
    asset("clean", {"PublicAclGrants": []}),
    asset("one-grant", {"PublicAclGrants": ["READ"]}),
    asset("two-grants", {"PublicAclGrants": ["READ", "WRITE"]}),
    asset("Bad_Name", {"PublicAclGrants": []}),
    asset("vol", {"Encrypted": False}, resource_type="aws.ec2.volume"),
]


def _draft(max_grants: int) -> str:
    return GRANTS_POLICY.replace("version: 1", "version: 2").replace(
        "default: 0", f"default: {max_grants}"
    )


async def test_whatif_reports_fail_pass_open_and_close(
    kit: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(whatif, "PAGE_SIZE", 3)  # two pages for four buckets
    inventory = FakeInventory(ASSETS)
    app = registry_app(kit, inventory, write_policies(tmp_path))
    async with kit.running(app) as client:
        response = await client.post(
            "/policies/whatif",
            content=_draft(1),
            headers={"content-type": "application/yaml"},
        )
        await kit.settle(app)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["policy_id"] == "test-bucket-grants"
    assert body["resource"] == "aws.s3.bucket"
    assert body["evaluated"] == 4  # the volume is another resource type
    assert [(f["name"], f["asset_id"]) for f in body["would_fail"]] == [
        ("Bad_Name", "arn:aws:s3:::Bad_Name"),
        ("two-grants", "arn:aws:s3:::two-grants"),
    ]
    assert all(f["reason"] for f in body["would_fail"])
    assert body["would_pass"] == 2
    assert body["errors"] == []
    assert body["would_open"] == []  # Bad_Name and two-grants fail today already
    assert body["would_close"] == ["arn:aws:s3:::one-grant"]
    assert body["current"] == {"exists": True, "enabled": True, "version": 1, "failing": 3}
    # it paged through inventory for exactly the draft's type, and stored or emitted nothing
    asked = [r for r in inventory.requests if r.url.path == "/assets"]
    assert {r.url.params["resource_type"] for r in asked} == {"aws.s3.bucket"}
    assert ["cursor" in r.url.params for r in asked] == [False, True]  # next_cursor followed
    assert inventory.starts == [0, 3]
    assert inventory.replays() == []
    assert kit.bus.messages(POLICIES_TOPIC) == []
    assert kit.bus.messages(EVALUATIONS_TOPIC) == []


async def test_whatif_accepts_a_json_document_and_opens_for_a_new_policy(
    kit: Any, tmp_path: Path
) -> None:
    document = yaml.safe_load(GRANTS_POLICY)
    document["id"] = "test-new-policy"
    document["params"]["name_pattern"]["default"] = "^[a-z]+$"  # no dashes allowed
    app = registry_app(kit, FakeInventory(ASSETS), write_policies(tmp_path))
    async with kit.running(app) as client:
        response = await client.post("/policies/whatif", json=document)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["current"]["exists"] is False
    assert body["would_close"] == []
    assert body["would_open"] == sorted(
        f"arn:aws:s3:::{n}" for n in ("Bad_Name", "one-grant", "two-grants")
    )
    assert body["would_pass"] == 1


async def test_whatif_closes_everything_failing_when_the_live_policy_is_disabled_too(
    kit: Any, tmp_path: Path
) -> None:
    app = registry_app(kit, FakeInventory(ASSETS), write_policies(tmp_path))
    async with kit.running(app) as client:
        await client.patch("/policies/test-bucket-grants", json={"enabled": False})
        response = await client.post(
            "/policies/whatif", content=_draft(0), headers={"content-type": "text/plain"}
        )
    body = response.json()
    assert body["current"]["failing"] == 0  # a disabled policy fails nothing today
    assert body["would_close"] == []
    assert len(body["would_open"]) == 3


async def test_malformed_draft_is_422_with_file_line_and_path(kit: Any, tmp_path: Path) -> None:
    inventory = FakeInventory(ASSETS)
    app = registry_app(kit, inventory, write_policies(tmp_path))
    broken = GRANTS_POLICY.replace("severity: low", "severity: urgent")
    async with kit.running(app) as client:
        bad_field = await client.post(
            "/policies/whatif",
            params={"file": "grants.yaml"},
            content=broken,
            headers={"content-type": "application/yaml"},
        )
        bad_yaml = await client.post(
            "/policies/whatif",
            content="id: x\nseverity: [\n",
            headers={"content-type": "text/plain"},
        )
        bad_condition = await client.post(
            "/policies/whatif",
            content=GRANTS_POLICY.replace("op: le", "op: lesser"),
            headers={"content-type": "application/yaml"},
        )
        not_a_document = await client.post("/policies/whatif", json=[1, 2])
        empty = await client.post(
            "/policies/whatif", content=b"", headers={"content-type": "text/plain"}
        )
    assert bad_field.status_code == 422
    [error] = bad_field.json()["errors"]
    assert error["file"] == "grants.yaml"
    assert error["line"] == 6
    assert error["path"] == "severity"
    assert bad_field.json()["detail"].startswith("grants.yaml:6: severity:")
    assert bad_yaml.status_code == 422
    assert bad_yaml.json()["errors"][0]["message"].startswith("invalid YAML")
    assert bad_condition.status_code == 422
    assert bad_condition.json()["field"] == "condition.and[0].op"
    assert not_a_document.status_code == 422
    assert empty.status_code == 422
    assert inventory.requests == []  # nothing was evaluated


async def test_whatif_inventory_unreachable_is_502(kit: Any, tmp_path: Path) -> None:
    app = registry_app(kit, FakeInventory(down=True), write_policies(tmp_path))
    async with kit.running(app) as client:
        response = await client.post(
            "/policies/whatif", content=_draft(1), headers={"content-type": "application/yaml"}
        )
    assert response.status_code == 502
    assert "inventory" in response.json()["detail"]


def _big_draft(size: int) -> str:
    """The grants draft grown to about ``size`` bytes of real work: thousands of checks."""
    head, checks = _draft(1), []
    line = '        - {{key: Name, op: regex, value: "^bucket-{i:05d}-[a-z]+$"}}\n'
    while len(head) + sum(map(len, checks)) < size - len(line) - 16:
        checks.append(line.format(i=len(checks)))
    return head + "    - or:\n" + "".join(checks)


async def test_a_draft_over_256_kib_is_413_and_a_large_one_under_it_is_evaluated(
    kit: Any, tmp_path: Path
) -> None:
    inventory = FakeInventory(ASSETS)
    app = registry_app(kit, inventory, write_policies(tmp_path))
    large = _big_draft(whatif.MAX_DRAFT_BYTES - 1024)
    over = large + "# " + "x" * (whatif.MAX_DRAFT_BYTES - len(large)) + "\n"
    assert len(large) < whatif.MAX_DRAFT_BYTES < len(over) < 1024 * 1024  # under the body limit

    async def chunks() -> Any:  # no content-length: the limit holds while reading
        for start in range(0, len(over), 8192):
            yield over[start : start + 8192].encode()

    yaml_type = {"content-type": "application/yaml"}
    async with kit.running(app) as client:
        declared = await client.post("/policies/whatif", content=over, headers=yaml_type)
        streamed = await client.post("/policies/whatif", content=chunks(), headers=yaml_type)
        assert inventory.requests == []  # a refused draft reads nothing
        accepted = await client.post("/policies/whatif", content=large, headers=yaml_type)
    for refused in (declared, streamed):
        assert refused.status_code == 413, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["error"] == "DraftTooLarge"
        assert "at most 262144 bytes (256 KiB)" in refused.json()["detail"]
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["evaluated"] == 4


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (
            GRANTS_POLICY + "examples:\n  passing: &a [{Name: a}, {Name: b}]\n  failing: *a\n",
            "application/yaml",
            "aliases (*name) are not supported",
        ),
        ("[" * 50_000 + "]" * 50_000, "application/json", "nested too deeply"),
        ("x: " + "[" * 50_000 + "]" * 50_000, "application/yaml", "nested too deeply"),
    ],
)
async def test_a_draft_that_would_explode_when_walked_is_refused(
    kit: Any, tmp_path: Path, body: str, content_type: str, message: str
) -> None:
    inventory = FakeInventory(ASSETS)
    app = registry_app(kit, inventory, write_policies(tmp_path))
    async with kit.running(app) as client:
        response = await client.post(
            "/policies/whatif", content=body, headers={"content-type": content_type}
        )
    assert response.status_code == 422, response.text
    assert message in response.json()["detail"]
    assert inventory.requests == []


async def test_assets_are_judged_page_by_page_as_inventory_serves_them(
    kit: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(whatif, "PAGE_SIZE", 2)
    steps: list[tuple[str, int]] = []

    class Recording(FakeInventory):
        def handle(self, request: httpx.Request) -> httpx.Response:
            answer = super().handle(request)
            if request.url.path == "/assets":
                steps.append(("read from", self.starts[-1]))
            return answer

    judge = whatif_report.Comparison.judge_draft

    def recorded(self: Any, assets: list[dict[str, Any]], *, with_live: bool) -> None:
        steps.append(("judged", len(assets)))
        judge(self, assets, with_live=with_live)

    monkeypatch.setattr(whatif_report.Comparison, "judge_draft", recorded)
    app = registry_app(kit, Recording(ASSETS), write_policies(tmp_path))
    async with kit.running(app) as client:
        response = await client.post(
            "/policies/whatif", content=_draft(1), headers={"content-type": "application/yaml"}
        )
    assert response.status_code == 200, response.text
    assert steps == [("read from", 0), ("judged", 2), ("read from", 2), ("judged", 2)]
    assert response.json()["would_close"] == ["arn:aws:s3:::one-grant"]  # same verdicts


async def test_healthz_answers_while_a_large_draft_is_being_processed(
    kit: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    buckets = [asset(f"bucket-{i:05d}-x", {"PublicAclGrants": []}) for i in range(300)]
    app = registry_app(kit, FakeInventory(buckets), write_policies(tmp_path))
    parsing, healthz_answered = threading.Event(), threading.Event()

    def held_parse(*args: Any) -> Any:
        """Parse for real, but only once /healthz answered: the draft is mid-processing then."""
        parsing.set()
        healthz_answered.wait(timeout=20)  # on the event loop this would freeze it for 20 s
        return whatif.parse_draft(*args)

    monkeypatch.setattr(policies_router, "parse_draft", held_parse)

    def healthz_latency(url: str) -> float:
        assert parsing.wait(timeout=30), "the draft never reached parsing"
        started = time.perf_counter()
        health = httpx.get(f"{url}/healthz", timeout=60)
        latency = time.perf_counter() - started
        healthz_answered.set()
        assert health.status_code == 200
        return latency

    draft = _big_draft(whatif.MAX_DRAFT_BYTES - 4096)
    async with (
        kit.running(app),
        served(app) as url,
        httpx.AsyncClient(base_url=url, auth=SignedAs(app), timeout=120) as http,
    ):
        yaml_type = {"content-type": "application/yaml"}
        call = asyncio.create_task(http.post("/policies/whatif", content=draft, headers=yaml_type))
        latency = await asyncio.to_thread(healthz_latency, url)
        response = await call
    assert response.status_code == 200, response.text
    assert response.json()["evaluated"] == 300
    assert latency < 3.0  # generous: it takes milliseconds; a blocked loop takes the full 20 s
