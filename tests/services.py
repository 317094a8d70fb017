"""Run the six services as separate processes against the real dev stack."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from pacbot.cli.devstack import StackInfo

SERVICES = ("inventory", "assessor", "violations", "exceptions", "autofix", "gateway")


def free_port() -> int:
    """An unused loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def service_env(
    stack: StackInfo, database: str, ports: dict[str, int], extra: dict[str, str]
) -> dict[str, str]:
    """The environment every service process gets: real servers, peers, fast timers."""
    env = {**os.environ, **stack.env()}
    env["PACBOT_POSTGRES_URL"] = stack.postgres_url.rsplit("/", 1)[0] + f"/{database}"
    urls = json.dumps({name: f"http://127.0.0.1:{port}" for name, port in ports.items()})
    for name, port in ports.items():
        prefix = f"PACBOT_{name.upper()}_"
        env[prefix + "PORT"] = str(port)
        env[prefix + "SERVICE_URLS"] = urls
        env[prefix + "AWS_ENDPOINT_URL"] = stack.moto_url
        env[prefix + "LOG_LEVEL"] = "INFO"
    env.update(extra)
    return env


@contextmanager
def running_services(
    env: dict[str, str], ports: dict[str, int], logs: Path
) -> Iterator[dict[str, str]]:
    """Start every service's console script, wait for /readyz, stop them all afterwards."""
    bindir = Path(sys.executable).parent
    procs: dict[str, subprocess.Popen[bytes]] = {}
    logs.mkdir(parents=True, exist_ok=True)
    try:
        for name in SERVICES:
            out = (logs / f"{name}.log").open("wb")
            procs[name] = subprocess.Popen(
                [str(bindir / f"pacbot-{name}")], env=env, stdout=out, stderr=subprocess.STDOUT
            )
        urls = {name: f"http://127.0.0.1:{ports[name]}" for name in SERVICES}
        for name, url in urls.items():
            _wait_ready(name, url, procs[name], logs / f"{name}.log")
        yield urls
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait_ready(
    name: str, url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 180
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{name} not ready after {timeout}s:\n{log.read_text()[-4000:]}")
