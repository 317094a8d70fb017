"""Walking-skeleton benchmark: the embedded loop over a seeded moto estate of N buckets.

Measures wall time for discovery (a full sweep), assessment and violation tracking to settle, and
prints assets per second. Not part of the test suite; run with `make bench` (N via BENCH_BUCKETS).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

import boto3
import httpx

from bench.results import Figure, record
from pacbot.cli.demo import moto_server
from pacbot.cli.embedded import EmbeddedOptions, EmbeddedPacBot


def _seed(url: str, count: int) -> None:
    s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1")
    for i in range(count):
        name = f"bench-{i:05d}"
        s3.create_bucket(Bucket=name)
        s3.put_bucket_tagging(
            Bucket=name, Tagging={"TagSet": [{"Key": "Owner", "Value": f"team-{i % 7}"}]}
        )
        if i % 3 == 0:
            s3.put_bucket_acl(Bucket=name, ACL="public-read")
        if i % 2 == 0:
            s3.put_bucket_encryption(
                Bucket=name,
                ServerSideEncryptionConfiguration={
                    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
                },
            )


async def _run(url: str, count: int, data_dir: Path) -> None:
    options = EmbeddedOptions(data_dir=data_dir, aws_endpoint_url=url, autofix_accounts=[])
    async with EmbeddedPacBot(options) as pacbot:
        key = await pacbot.issue_key("security", subject="bench@pacbot.local")
        async with pacbot.client(key=key) as api:
            await _measure(pacbot, api, count)


async def _measure(pacbot: EmbeddedPacBot, api: httpx.AsyncClient, count: int) -> None:
    """Time one full sweep until everything settles, then an unchanged re-sweep."""
    start = time.perf_counter()
    scan = (await api.post("/api/v1/scans", json={})).json()
    swept = time.perf_counter()
    await pacbot.settle(timeout=600)
    settled = time.perf_counter()
    opened = (await api.get("/api/v1/violations", params={"status": "open", "limit": 1})).json()
    seen = sum(s["seen"] for s in scan["sweeps"])
    print(f"buckets seeded          {count}")
    print(f"assets discovered       {seen}")
    print(f"open violations         {opened['total']}")
    sweep_s, total_s = swept - start, settled - start
    print(f"sweep (discovery)       {sweep_s:.2f}s  ({seen / sweep_s:.1f} assets/s)")
    print(f"assess + violations     {settled - swept:.2f}s")
    print(f"end to end              {total_s:.2f}s  ({seen / total_s:.1f} assets/s)")

    start = time.perf_counter()
    await api.post("/api/v1/scans", json={})
    await pacbot.settle(timeout=600)
    resweep_s = time.perf_counter() - start
    print(f"unchanged re-sweep      {resweep_s:.2f}s (emits nothing)")
    # no target is documented for the embedded loop: the figures are for information
    record(
        "run",
        [
            Figure("sweep (discovery)", seen / sweep_s, "assets/s", better="higher"),
            Figure("embedded loop end to end", seen / total_s, "assets/s", better="higher"),
            Figure("unchanged re-sweep", resweep_s, "s"),
        ],
        {"buckets": count, "assets": seen, "open_violations": opened["total"]},
    )


def main() -> None:
    """Seed, then time one full and one unchanged sweep."""
    count = int(os.environ.get("BENCH_BUCKETS", "300"))
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")  # noqa: S106
    with moto_server() as url, tempfile.TemporaryDirectory() as tmp:
        _seed(url, count)
        asyncio.run(_run(url, count, Path(tmp)))


if __name__ == "__main__":
    main()
