"""Discovery benchmark: PacBot's full sweep vs Cloud Custodian's equivalent resource queries.

Both run in the same run against the same moto server (a separate process) seeded with the same
estate. Run with `make bench-discovery` (BENCH_SCALE multiplies the estate; default 1 ≈ 450).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import httpx

from bench.estate import REGION, seed

CUSTODIAN_TYPES = [
    "aws.s3",
    "aws.security-group",
    "aws.ebs",
    "aws.ebs-snapshot",
    "aws.ami",
    "aws.ec2",
    "aws.vpc",
    "aws.subnet",
    "aws.network-acl",
    "aws.route-table",
    "aws.internet-gateway",
    "aws.nat-gateway",
    "aws.network-addr",
    "aws.eni",
    "aws.iam-user",
    "aws.iam-role",
    "aws.iam-group",
    "aws.iam-policy",
    "aws.account",
    "aws.iam-certificate",
    "aws.kms-key",
    "aws.cloudtrail",
    "aws.log-group",
    "aws.acm-certificate",
    "aws.secrets-manager",
    "aws.config-recorder",
    "aws.rds",
    "aws.rds-cluster",
    "aws.rds-snapshot",
    "aws.lambda",
    "aws.sns",
    "aws.sqs",
    "aws.dynamodb-table",
    "aws.distribution",
    "aws.ecr",
    "aws.eks",
    "aws.efs",
    "aws.cache-cluster",
    "aws.redshift",
    "aws.elasticsearch",
    "aws.rest-api",
    "aws.elb",
    "aws.app-elb",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    """moto in server mode, as its own process, on a free port."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(f"{url}/moto-api/", timeout=1)
            return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("moto did not start")


async def pacbot_sweep(endpoint: str, data_dir: Path) -> tuple[float, Counter[str], dict[str, str]]:
    """One full inventory scan through the real app (SQLite, memory bus, DB search)."""
    from pacbot.common.auth import InternalAuth
    from pacbot.common.bus import MemoryBus
    from pacbot.common.runtime import SharedInfra
    from pacbot.inventory.app import create_app
    from pacbot.inventory.settings import InventorySettings

    settings = InventorySettings(
        database_url=f"sqlite+aiosqlite:///{data_dir}/inventory.db",
        bus="memory",
        search="database",
        aws_endpoint_url=endpoint,
        regions=[REGION],
        log_json=False,
        log_level="WARNING",
        internal_secret=secrets.token_urlsafe(48),
    )
    app = create_app(settings, SharedInfra(bus=MemoryBus()))
    # a direct call to the inventory carries an internal token, as a peer service's would
    signed = InternalAuth(app.state.runtime.tokens, caller="bench", audience="inventory")
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app),
            base_url="http://inventory",
            timeout=600,
            auth=signed,
        ) as client,
    ):
        start = time.perf_counter()
        scanned = await client.post("/scans", json={})
        scanned.raise_for_status()
        sweeps = scanned.json()["sweeps"]
        elapsed = time.perf_counter() - start
    seen = Counter({s["resource_type"]: s["seen"] for s in sweeps})
    durations = sorted(
        (
            (
                datetime.fromisoformat(s["finished_at"]) - datetime.fromisoformat(s["started_at"])
            ).total_seconds(),
            s["resource_type"],
        )
        for s in sweeps
        if s["finished_at"]
    )
    print("slowest PacBot sweeps: " + ", ".join(f"{t} {d:.1f}s" for d, t in durations[-6:]))
    failed = {s["resource_type"]: s["error"] for s in sweeps if s["status"] != "succeeded"}
    return elapsed, seen, failed


def custodian_queries(endpoint: str, out: Path) -> tuple[float, Counter[str], list[str]]:
    """Custodian policies with no filters: pure resource queries (with its default augments)."""
    policies = {
        "policies": [{"name": t.replace("aws.", "q-"), "resource": t} for t in CUSTODIAN_TYPES]
    }
    path = out / "policies.json"
    path.write_text(json.dumps(policies))
    env = {**os.environ, "AWS_ENDPOINT_URL": endpoint, "AWS_DEFAULT_REGION": REGION}
    start = time.perf_counter()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "c7n.cli",
            "run",
            "-s",
            str(out / "run"),
            "--cache-period",
            "0",
            "-r",
            REGION,
            str(path),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    counts: Counter[str] = Counter()
    errors = [line for line in run.stderr.splitlines() if "Error" in line or "error" in line]
    for policy in policies["policies"]:
        resources = out / "run" / policy["name"] / "resources.json"
        if resources.exists():
            counts[policy["resource"]] = len(json.loads(resources.read_text()))
    return elapsed, counts, errors


def main() -> None:
    """Seed once, time both tools, print the comparison."""
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")  # noqa: S106
    os.environ.pop("AWS_ENDPOINT_URL", None)
    scale = int(os.environ.get("BENCH_SCALE", "1"))
    moto, endpoint = start_moto()
    try:
        started = time.perf_counter()
        made = seed(endpoint, scale)
        print(
            f"seeded {sum(made.values())} resources in {time.perf_counter() - started:.1f}s: "
            + ", ".join(f"{k} {v}" for k, v in sorted(made.items()))
        )
        with tempfile.TemporaryDirectory() as tmp:
            pacbot_s, pacbot_seen, failed = asyncio.run(pacbot_sweep(endpoint, Path(tmp)))
            c7n_s, c7n_seen, c7n_errors = custodian_queries(endpoint, Path(tmp))
    finally:
        moto.terminate()
        moto.wait()
    pacbot_total, c7n_total = sum(pacbot_seen.values()), sum(c7n_seen.values())
    print(
        f"\nPacBot   full sweep of {len(pacbot_seen)} types: {pacbot_total} assets in "
        f"{pacbot_s:.2f}s ({pacbot_total / pacbot_s:.1f}/s); failed sweeps: {failed or 'none'}"
    )
    print(
        f"Custodian {len(CUSTODIAN_TYPES)} resource queries: {c7n_total} resources in "
        f"{c7n_s:.2f}s ({c7n_total / c7n_s:.1f}/s); policy errors: {len(c7n_errors)}"
    )
    print(f"ratio (Custodian time / PacBot time): {c7n_s / pacbot_s:.2f}x")
    print("custodian per type: " + ", ".join(f"{k} {v}" for k, v in sorted(c7n_seen.items())))
    print(
        "pacbot per type:    " + ", ".join(f"{k} {v}" for k, v in sorted(pacbot_seen.items()) if v)
    )
    failed_policies = sorted(
        {
            line.split("policy ")[1].split(",")[0]
            for line in c7n_errors
            if "executing policy q-" in line
        }
    )
    print(f"custodian policies that failed against moto: {failed_policies or 'none'}")


if __name__ == "__main__":
    main()
