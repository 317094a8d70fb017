"""`pacbot demo`: the whole Assess → Report → Remediate loop, embedded, on a seeded moto estate."""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3

from pacbot.cli.embedded import EmbeddedOptions, EmbeddedPacBot
from pacbot.cli.estate import seed

MOTO_ACCOUNT = "123456789012"
PUBLIC_POLICY = "aws-s3-bucket-public-access"


def _without_request_tracebacks(record: logging.LogRecord) -> bool:
    """moto answers APIs it lacks (e.g. Access Analyzer) with a 500 and a logged traceback; the
    connectors record such gaps in the asset itself, so in the demo the traceback is noise."""
    return not record.getMessage().startswith("Error on request")


@contextmanager
def moto_server() -> Iterator[str]:
    """A moto server on a free loopback port, for as long as the block runs."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.getLogger("werkzeug").addFilter(_without_request_tracebacks)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    # Every moto server in one process shares its backends: start from an empty estate.
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"))  # noqa: S310
    try:
        yield url
    finally:
        server.stop()


def _pct(value: float | None) -> str:
    """A compliance figure for people (the API returns unrounded floats, or null)."""
    return "n/a" if value is None else f"{value:.1f}%"


def _say(text: str = "") -> None:
    print(text, flush=True)


def _table(violations: list[dict[str, Any]], severities: tuple[str, ...] = ()) -> None:
    shown = [v for v in violations if not severities or v["severity"] in severities]
    for v in shown:
        _say(f"  {v['status']:<9} {v['severity']:<8} {v['policy_id']:<44} {v['asset_name']}")
    if len(shown) < len(violations):
        hidden: Counter[str] = Counter(v["severity"] for v in violations if v not in shown)
        _say("  … and " + ", ".join(f"{n} {sev}" for sev, n in sorted(hidden.items())))


async def _all_violations(api: Any, status: str) -> list[dict[str, Any]]:
    """Every violation with ``status``, through the gateway's paging."""
    found: list[dict[str, Any]] = []
    while True:
        page = (
            await api.get(
                "/api/v1/violations", params={"status": status, "limit": 200, "offset": len(found)}
            )
        ).json()
        found += page["items"]
        if len(found) >= page["total"] or not page["items"]:
            return found


async def run_demo(endpoint_url: str, data_dir: Path, grace_seconds: float) -> dict[str, Any]:
    """Seed, scan, report, exempt, wait out the grace period, fix, rescan; return the figures."""
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    estate = seed(s3)
    _say(f"Seeded a simulated AWS estate at {endpoint_url}: {len(estate)} S3 buckets.")
    options = EmbeddedOptions(
        data_dir=data_dir,
        aws_endpoint_url=endpoint_url,
        grace_seconds=grace_seconds,
        autofix_accounts=[MOTO_ACCOUNT],
    )
    async with EmbeddedPacBot(options) as pacbot, pacbot.client() as api:
        _say("\n1. Assess: discovering and evaluating every resource of the account")
        scan = (await api.post("/api/v1/scans", json={})).json()
        await pacbot.settle()
        seen = sum(s["seen"] for s in scan["sweeps"])
        _say(f"   discovered {seen} assets")
        summary = (await api.get("/api/v1/compliance/summary")).json()
        opened = await _all_violations(api, "open")
        _say(
            f"\n2. Report: {len(opened)} open violations over "
            f"{len({v['policy_id'] for v in opened})} policies, "
            f"overall compliance {_pct(summary['overall_pct'])} (critical ones:)"
        )
        _table(opened, ("critical",))

        website = next(
            v
            for v in opened
            if v["asset_name"] == "acme-marketing-site" and v["policy_id"] == PUBLIC_POLICY
        )
        expires = (datetime.now(UTC) + timedelta(days=30)).isoformat()
        request = await api.post(
            "/api/v1/exceptions",
            json={
                "asset_ids": [website["asset_id"]],
                "policy_ids": [website["policy_id"]],
                "reason": "public static website, reviewed by security",
                "expires_at": expires,
            },
            headers={"X-PacBot-User": "web@acme.example"},
        )
        request.raise_for_status()
        exception_id = request.json()["exception_id"]
        approver = {"X-PacBot-User": "security@acme.example", "X-PacBot-Roles": "approver"}
        grant = await api.post(f"/api/v1/exceptions/{exception_id}/approve", headers=approver)
        grant.raise_for_status()
        await pacbot.settle()
        _say(
            "\n3. Exception: the marketing site is public on purpose (requested by "
            "web@acme.example, approved by security@acme.example, expires in 30 days)"
        )
        _table([(await api.get(f"/api/v1/violations/{website['violation_id']}")).json()])

        _say(
            "\n4. Remediate: AutoFix notified the owners; "
            f"waiting out the {grace_seconds:g}s grace period"
        )
        deadline = time.monotonic() + grace_seconds + 30
        fixes: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            fixes = (await api.get("/api/v1/fixes")).json()["items"]
            if fixes and all(f["status"] not in ("waiting",) for f in fixes):
                break
            await asyncio.sleep(0.5)
        for fix in fixes:
            _say(f"   {fix['status']:<9} {fix['action']} on {fix['asset_id']}")

        _say("\n5. Repeat: the next scan sees the fixed buckets")
        await api.post("/api/v1/scans", json={})
        await pacbot.settle()
        closed = await _all_violations(api, "closed")
        still_open = await _all_violations(api, "open")
        final = (await api.get("/api/v1/compliance/summary")).json()
        _say(f"   closed as fixed: {len(closed)}")
        _table(closed)
        _say(f"   still open: {len(still_open)} (no autofix for these yet; critical ones:)")
        _table(still_open, ("critical",))
        _say(
            f"\nCompliance went from {_pct(summary['overall_pct'])} "
            f"to {_pct(final['overall_pct'])}."
        )
        return {
            "before": summary,
            "after": final,
            "fixes": fixes,
            "closed": closed,
            "open": still_open,
        }


def main(endpoint_url: str | None, grace_seconds: float, data_dir: Path | None) -> int:
    """Run the demo against ``endpoint_url`` or a moto server of its own."""
    with tempfile.TemporaryDirectory(prefix="pacbot-demo-") as tmp:
        directory = data_dir or Path(tmp)
        if endpoint_url:
            asyncio.run(run_demo(endpoint_url, directory, grace_seconds))
        else:
            # moto accepts any credentials; never pick up a person's real ones for the simulation.
            os.environ.update(
                AWS_ACCESS_KEY_ID="testing",
                AWS_SECRET_ACCESS_KEY="testing",
                AWS_DEFAULT_REGION="us-east-1",
            )
            os.environ.pop("AWS_PROFILE", None)
            os.environ.pop("AWS_SESSION_TOKEN", None)
            with moto_server() as url:
                asyncio.run(run_demo(url, directory, grace_seconds))
    return 0
