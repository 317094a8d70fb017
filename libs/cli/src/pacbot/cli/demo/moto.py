"""moto servers for the demo: in a process of its own (the demo), or in a thread (tests)."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

MOTO_ACCOUNT = "123456789012"
"""The account moto files requests under when the credentials name none."""


def _without_request_tracebacks(record: logging.LogRecord) -> bool:
    """moto answers APIs it lacks (e.g. Access Analyzer) with a 500 and a logged traceback; the
    connectors record such gaps in the asset itself, so the traceback is noise."""
    return not record.getMessage().startswith("Error on request")


def _reset(url: str) -> None:
    reset = urllib.request.Request(f"{url}/moto-api/reset", method="POST")  # noqa: S310
    urllib.request.urlopen(reset, timeout=10).close()  # noqa: S310 - a loopback URL we built


@contextmanager
def moto_server() -> Iterator[str]:
    """A moto server in a thread of this process on a free loopback port (tests use it)."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.getLogger("werkzeug").addFilter(_without_request_tracebacks)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    # Every moto server in one process shares its backends: start from an empty estate.
    _reset(url)
    try:
        yield url
    finally:
        server.stop()


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@contextmanager
def moto_process(log: TextIO, timeout: float = 60) -> Iterator[str]:
    """A moto server in a process of its own (its own CPU, its output in ``log``).

    It runs in a new session, so a Ctrl-C in the terminal reaches only the demo, which stops it.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "pacbot.cli.demo.motoserver", "-H", "127.0.0.1", "-p", str(port)],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_until_up(process, url, timeout)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(process: subprocess.Popen[bytes], url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the moto server exited with status {process.returncode}")
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=2).close()  # noqa: S310
            return
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the moto server did not answer on {url} in {timeout:g}s"
                ) from None
            time.sleep(0.1)
