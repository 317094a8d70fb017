"""Discovery benchmark: `pacbot scan` side by side with Cloud Custodian's three classic checks.

One moto server (its own process) is seeded once with 300 buckets and 301 security groups
(BENCH_BUCKETS, BENCH_GROUPS). Each round (BENCH_ROUNDS, default 3) runs, as separate processes
against that server: Custodian with three checks (public ACL grants, no default encryption, SSH
open to the internet), `pacbot scan` restricted to the three equivalent shipped policies, and
`pacbot scan` with the whole shipped pack, after one untimed warm-up of each. Ratios are of
median wall times within the one run; each run's own CPU and the CPU moto spent answering it
are recorded too. Both scans must flag
exactly the resources Custodian flags. Run with `uv run --group bench python -m bench.discovery`.
"""

from __future__ import annotations

import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.estate import REGION, seed_buckets_and_groups
from bench.results import Figure, record


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


THREE_C7N: dict[str, list[dict[str, Any]]] = {
    "policies": [
        {"name": "s3-global-grants", "resource": "aws.s3", "filters": ["global-grants"]},
        {
            "name": "s3-unencrypted",
            "resource": "aws.s3",
            "filters": [{"type": "bucket-encryption", "state": False}],
        },
        {
            "name": "sg-open-ssh",
            "resource": "aws.security-group",
            "filters": [{"type": "ingress", "Ports": [22], "Cidr": {"value": "0.0.0.0/0"}}],
        },
    ]
}
THREE_PACBOT = {
    "s3-global-grants": "aws-s3-bucket-public-access",
    "s3-unencrypted": "aws-s3-bucket-default-encryption",
    "sg-open-ssh": "aws-ec2-sg-no-open-admin-ports-ipv4",
}
"""Each Custodian check and the shipped PacBot policy that judges the same thing."""


def _cpu_seconds(pid: int) -> float:
    """User + system CPU a live process has used so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    """One timed subprocess: wall time, its own CPU, and the CPU moto spent answering it."""

    wall: float
    cpu: float
    moto_cpu: float
    output: subprocess.CompletedProcess[str]


def timed(command: list[str], env: dict[str, str], moto_pid: int) -> Run:
    """Run ``command`` to completion, measuring its wall time and CPU and moto's CPU meanwhile."""
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    moto_before = _cpu_seconds(moto_pid)
    start = time.perf_counter()
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before_children.ru_utime) + (after.ru_stime - before_children.ru_stime)
    return Run(wall, cpu, _cpu_seconds(moto_pid) - moto_before, output)


def custodian_three(endpoint: str, out: Path, moto_pid: int) -> tuple[Run, dict[str, set[str]]]:
    """Custodian 0.9 running the three classic checks; the ids each one flags."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "c7n-three.json"
    path.write_text(json.dumps(THREE_C7N))
    env = {**os.environ, "AWS_ENDPOINT_URL": endpoint, "AWS_DEFAULT_REGION": REGION}
    command = [sys.executable, "-m", "c7n.cli", "run", "-s", str(out / "c7n"), "--cache-period"]
    run = timed([*command, "0", "-r", REGION, str(path)], env, moto_pid)
    if run.output.returncode != 0:
        raise RuntimeError(f"custodian failed: {run.output.stderr[-2000:]}")
    flagged: dict[str, set[str]] = {}
    for policy in THREE_C7N["policies"]:
        found = json.loads((out / "c7n" / policy["name"] / "resources.json").read_text())
        key = "Name" if policy["resource"] == "aws.s3" else "GroupId"
        flagged[policy["name"]] = {r[key] for r in found}
    return run, flagged


def pacbot_scan(
    endpoint: str, moto_pid: int, policies: list[str] | None
) -> tuple[Run, dict[str, Any]]:
    """`pacbot scan` as its own process (the selected policies, or the whole shipped pack)."""
    env = {**os.environ, "AWS_DEFAULT_REGION": REGION}
    env.pop("AWS_ENDPOINT_URL", None)
    command = [sys.executable, "-m", "pacbot.cli.main", "scan", "--endpoint-url", endpoint]
    command += ["--regions", REGION, "--format", "json"]
    if policies is not None:
        command += ["--policies", ",".join(policies)]
    run = timed(command, env, moto_pid)
    if run.output.returncode != 0:
        raise RuntimeError(f"pacbot scan failed: {run.output.stderr[-2000:]}")
    document: dict[str, Any] = json.loads(run.output.stdout)
    return run, document


def pacbot_flagged(document: dict[str, Any]) -> dict[str, set[str]]:
    """The ids each Custodian check's PacBot equivalent fails, in Custodian's id form."""
    flagged: dict[str, set[str]] = {}
    for check, policy in THREE_PACBOT.items():
        failing = [
            f["resource_id"]
            for f in document["findings"]
            if f["policy_id"] == policy and f["status"] == "fail"
        ]
        flagged[check] = {r.rsplit(":", 1)[-1].rsplit("/", 1)[-1] for r in failing}
    return flagged


def _median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    """Seed once; in each round run Custodian, the 3-policy scan and the full-pack scan."""
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")  # noqa: S106
    os.environ.pop("AWS_ENDPOINT_URL", None)
    buckets = int(os.environ.get("BENCH_BUCKETS", "300"))
    groups = int(os.environ.get("BENCH_GROUPS", "300"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    moto, endpoint = start_moto()
    runs: dict[str, list[Run]] = {"custodian": [], "three": [], "full": []}
    try:
        started = time.perf_counter()
        made = seed_buckets_and_groups(endpoint, buckets, groups)
        print(f"seeded {dict(made)} in {time.perf_counter() - started:.1f}s")
        with tempfile.TemporaryDirectory() as tmp:
            # untimed warm-up: moto loads each service's backend on its first request
            custodian_three(endpoint, Path(tmp) / "warm-up", moto.pid)
            pacbot_scan(endpoint, moto.pid, None)
            for round_ in range(rounds):
                c7n, c7n_flagged = custodian_three(endpoint, Path(tmp) / str(round_), moto.pid)
                three, three_doc = pacbot_scan(endpoint, moto.pid, list(THREE_PACBOT.values()))
                full, full_doc = pacbot_scan(endpoint, moto.pid, None)
                for name, run in (("custodian", c7n), ("three", three), ("full", full)):
                    runs[name].append(run)
                    print(
                        f"round {round_ + 1} {name:<9} wall {run.wall:6.2f}s  cpu {run.cpu:6.2f}s"
                        f"  moto cpu {run.moto_cpu:6.2f}s"
                    )
                assert pacbot_flagged(three_doc) == c7n_flagged, "3-policy findings differ"
                assert pacbot_flagged(full_doc) == c7n_flagged, "full-pack findings differ"
                assert three_doc["sweep_errors"] == [], three_doc["sweep_errors"]
    finally:
        moto.terminate()
        moto.wait()
    flagged = {k: len(v) for k, v in c7n_flagged.items()}
    print(f"findings agree in every round: {flagged}")
    wall = {name: _median([r.wall for r in rs]) for name, rs in runs.items()}
    moto_cpu = {name: _median([r.moto_cpu for r in rs]) for name, rs in runs.items()}
    cpu = {name: _median([r.cpu for r in rs]) for name, rs in runs.items()}
    three_ratio = wall["three"] / wall["custodian"]
    full_ratio = wall["full"] / wall["custodian"]
    work = {name: cpu[name] + moto_cpu[name] for name in runs}  # the tool's CPU and moto's
    print(
        f"CPU (tool + moto), medians: Custodian {work['custodian']:.2f}s, 3 policies "
        f"{work['three']:.2f}s ({work['three'] / work['custodian']:.2f}x), full pack "
        f"{work['full']:.2f}s ({work['full'] / work['custodian']:.2f}x)"
    )
    print(f"3-policy scan / Custodian: {three_ratio:.2f}x (target 0.5x), medians of {rounds}")
    print(f"full pack scan / Custodian: {full_ratio:.2f}x (target 0.8x)")
    record(
        "discovery",
        [
            Figure("3-policy scan / Custodian", round(three_ratio, 3), "x", 0.5, better="lower"),
            Figure("full pack scan / Custodian", round(full_ratio, 3), "x", 0.8, better="lower"),
            Figure(
                "3-policy scan / Custodian, CPU incl. moto",
                round(work["three"] / work["custodian"], 3),
                "x",
                None,
            ),
            Figure(
                "full pack scan / Custodian, CPU incl. moto",
                round(work["full"] / work["custodian"], 3),
                "x",
                None,
            ),
            Figure("Custodian 3 checks", round(wall["custodian"], 2), "s", None, better="lower"),
            Figure("PacBot 3 policies", round(wall["three"], 2), "s", None, better="lower"),
            Figure("PacBot full pack", round(wall["full"], 2), "s", None, better="lower"),
        ],
        details={
            "buckets": buckets,
            "security_groups": groups + 1,
            "rounds": rounds,
            "wall_seconds": {k: [round(r.wall, 3) for r in rs] for k, rs in runs.items()},
            "cpu_seconds_median": {k: round(v, 3) for k, v in cpu.items()},
            "moto_cpu_seconds_median": {k: round(v, 3) for k, v in moto_cpu.items()},
            "custodian_findings": flagged,
        },
    )


if __name__ == "__main__":
    main()
