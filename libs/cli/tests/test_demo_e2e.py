"""``pacbot demo`` as a newcomer runs it: a process of its own, its moto, its output.

Here, the text report with fixes applied (a full run, about a minute on two cores), which must
hold the demo's own lines and nothing a library printed. The run that serves the dashboard is
``tests/browser/test_demo_dashboard.py``: its JSON report is checked with the helpers below
against the seeded estate's declarations and the API its printed link signs in to, then the link
is opened in Chromium, then SIGINT stops it (one run for all of it: each costs a minute).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

CATEGORIES = {"security", "governance", "cost", "tagging", "operations"}
SEVERITIES = ("critical", "high", "medium", "low")
NOISE = ("backend", "Warning", "WARNING", "Traceback", "docker", "Docker", "werkzeug")


def _demo(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "pacbot.cli.main", "demo", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


class Reader:
    """Collects a stream on a thread so the test can wait for a line without blocking."""

    def __init__(self, stream: Any) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: Any) -> None:
        for line in stream:
            self.lines.append(line)

    def text(self) -> str:
        return "".join(self.lines)

    def finish(self, timeout: float = 30) -> str:
        self._thread.join(timeout)
        return self.text()


def _first_json(reader: Reader, process: subprocess.Popen[str], timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if reader.lines and reader.lines[-1] == "}\n":
            report: dict[str, Any] = json.loads(reader.text())
            return report
        if process.poll() is not None:
            pytest.fail(f"the demo exited ({process.returncode}) before its report")
        time.sleep(0.5)
    pytest.fail("no JSON report on stdout in time")


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _check_against_declarations(report: dict[str, Any]) -> None:
    seeded, assets, violations = report["seeded"], report["assets"], report["violations"]
    assert seeded["resources"] >= 300
    assert seeded["types"] >= 20
    assert len(seeded["accounts"]) == 2
    assert seeded["regions"] == ["eu-west-1", "us-east-1"]
    assert len(report["accounts"]) == 2
    assert sorted(r for r in assets["by_region"] if r != "global") == seeded["regions"]
    assert set(assets["by_account"]) == set(seeded["accounts"])
    # Every declared resource was found, except where a sweep failed on a known moto gap.
    failed = Counter(s["resource_type"] for s in report["sweeps"]["failed"])
    assert all(s["moto_gap"] for s in report["sweeps"]["failed"]), report["sweeps"]["failed"]
    expected_types = {t: n - failed[t] for t, n in seeded["by_type"].items() if n > failed[t]}
    assert assets["by_type"] == expected_types
    assert assets["total"] == sum(expected_types.values())
    assert len(assets["by_type"]) >= 20
    # Every declared failure is an open violation, except what an active exception covers.
    exempted: Counter[str] = Counter()
    for exception in report["exceptions"]:
        if exception["status"] == "active":
            for policy in exception["policy_ids"]:
                exempted[policy] += len(exception["asset_ids"])
    wanted = {p: n - exempted[p] for p, n in seeded["expected_failures"].items() if n > exempted[p]}
    assert violations["by_policy"] == wanted
    assert violations["exempted"] == sum(exempted.values()) == 1
    assert violations["total"] == sum(violations["by_policy"].values())
    assert violations["total"] == sum(violations["by_severity"].values())
    assert violations["total"] == sum(violations["by_category"].values())
    assert set(violations["by_category"]) == CATEGORIES
    assert all(n > 0 for n in violations["by_category"].values()), violations["by_category"]
    assert set(report["compliance"]["by_category"]) == CATEGORIES


def _check_against_the_api(report: dict[str, Any]) -> None:
    """Sign in the way the dashboard does with the printed link, then read the same figures."""
    link = urlsplit(report["dashboard"]["login"])
    assert link.fragment.startswith("/login?key=pbk_")
    key = link.fragment.removeprefix("/login?key=")
    base = f"{link.scheme}://{link.netloc}"
    assert base == report["dashboard"]["url"]
    with httpx.Client(base_url=base, timeout=30) as browser:
        page = browser.get("/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        signed_in = browser.post("/api/v1/session", json={"api_key": key})
        assert signed_in.status_code == 200, signed_in.text
        assert "secure" not in signed_in.headers["set-cookie"].lower()  # plain http on loopback
        me = browser.get("/api/v1/me").json()
        assert me["roles"] == ["admin"]
        assert me["credential"].startswith("session:")  # the cookie, not the key, signed this
        summary = browser.get("/api/v1/compliance/summary").json()
        assert summary["overall_pct"] == report["compliance"]["overall_pct"]
        assert {c["category"]: c["compliance_pct"] for c in summary["categories"]} == (
            report["compliance"]["by_category"]
        )
        search = browser.get("/api/v1/assets/search", params={"limit": 1}).json()
        assert search["total"] == report["assets"]["total"]
        assert search["facets"]["resource_type"] == report["assets"]["by_type"]
        for severity in SEVERITIES:
            listed = browser.get(
                "/api/v1/violations", params={"status": "open", "severity": severity, "limit": 1}
            ).json()
            assert listed["total"] == report["violations"]["by_severity"][severity]
        plans: list[dict[str, Any]] = []
        query: dict[str, Any] = {"limit": 200}
        while True:
            page_of = browser.get("/api/v1/fixes", params=query).json()
            plans += page_of["items"]
            if not page_of["next_cursor"]:
                break
            query["cursor"] = page_of["next_cursor"]
    fixes = report["fixes"]
    assert fixes["dry_run"] is True
    assert fixes["applied"] == 0
    assert fixes["planned"] == len(plans) == len(fixes["items"]) > 0
    assert {p["plan_id"]: p["status"] for p in plans} == {
        p["plan_id"]: p["status"] for p in fixes["items"]
    }
    statuses = {p["status"] for p in plans}
    assert statuses <= {"dry_run", "cancelled", "waiting", "notifying", "skipped"}
    assert "cancelled" in {p["status"] for p in plans}  # the exempted site's plan


def stopped_cleanly(out: Reader, err: Reader, moto: list[int], tmp: Path, dashboard: str) -> None:
    """After SIGINT: nothing on stderr, nothing after the JSON report, moto stopped, the demo's
    data and log removed, the dashboard no longer answering."""
    assert err.finish() == ""
    assert out.finish().endswith("}\n")  # the report, and nothing after it
    assert all(not Path(f"/proc/{pid}").exists() for pid in moto), "moto was stopped"
    assert list(tmp.glob("pacbot-demo-*")) == [], "the data and the log were removed"
    with pytest.raises(httpx.TransportError):
        httpx.get(dashboard, timeout=2)


ALLOWED = re.compile(
    r"^(PacBot demo: .*"
    r"|(Seeding moto|Discovering|Assessing|AutoFix|Re-scanning|Re-assessing) +━+ .*"
    r"|Report \(read through the gateway API\)"
    r"|  (Assets|Compliance|Violations|Exception|AutoFix|Email|Sweeps) .*"
    r"|  Worst policies \(most severe first\):"
    r"|    (critical|high|medium|low) .*"
    r"|    aws\.[a-z0-9_.]+ in \d{12}/[a-z0-9-]+: .*"
    r"|Library output went to .*"
    r"|)$"
)


def test_text_report_with_fixes_applied_holds_only_the_demos_own_lines(tmp_path: Path) -> None:
    demo = _demo(tmp_path, "--no-serve", "--apply-fixes")
    try:
        stdout, stderr = demo.communicate(timeout=480)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
    assert demo.returncode == 0, stdout + stderr
    assert stderr == ""
    for noise in NOISE:
        assert noise not in stdout
    unexpected = [line for line in stdout.splitlines() if not ALLOWED.match(line)]
    assert unexpected == []
    applied = re.search(r"AutoFix +\d+ fix plans \(applied to moto\):.* (\d+) applied", stdout)
    closed = re.search(r"(\d+) closed as fixed", stdout)
    assert applied, stdout
    assert int(applied.group(1)) > 0, stdout
    assert closed, stdout
    assert int(closed.group(1)) > 0, stdout
    assert list(tmp_path.glob("pacbot-demo-*")) == []
