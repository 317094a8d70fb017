"""Base class of a dev-stack component: pid file, log, idempotent start and readiness wait."""

from __future__ import annotations

import signal
import time
from abc import ABC, abstractmethod
from pathlib import Path

from ._config import Layout
from ._process import fail, is_alive, port_open, read_pid, stop_pid


class Component(ABC):
    """One server process of the dev stack."""

    name: str = ""
    marker: str = ""
    stop_signal: int = signal.SIGTERM
    stop_timeout: float = 60

    def __init__(self, layout: Layout) -> None:
        """Bind the component to the stack's directories."""
        self.layout = layout
        self.state = layout.state(self.name)
        self.log = self.state / f"{self.name}.log"
        self.pid_file = self.state / f"{self.name}.pid"

    @property
    def port(self) -> int:
        """Main port, from PACBOT_DEV_<NAME>_PORT or the default."""
        return self.layout.port(self.name)

    def extra_ports(self) -> list[int]:
        """Other ports the component binds (controller, transport)."""
        return []

    def address(self) -> str:
        """Address clients use."""
        return f"http://127.0.0.1:{self.port}"

    def pid_files(self) -> list[Path]:
        """Pid files to consult, most authoritative first."""
        return [self.pid_file]

    def pid(self) -> int | None:
        """Pid of the live server process, if any."""
        for path in self.pid_files():
            pid = read_pid(path)
            if is_alive(pid, self.marker):
                return pid
        return None

    def running(self) -> bool:
        """Tell whether the process is alive and its port answers."""
        return self.pid() is not None and port_open(self.port)

    def prepare(self) -> None:  # noqa: B027 - optional hook
        """Download and initialise what start needs (idempotent)."""

    @abstractmethod
    def start(self) -> None:
        """Launch the detached server process and record its pid."""

    @abstractmethod
    def ready(self) -> bool:
        """Tell whether the server really serves requests."""

    def ensure(self, timeout: float) -> None:
        """Start the component unless it already runs, then wait until it is ready."""
        if self.pid() is None:
            busy = [p for p in [self.port, *self.extra_ports()] if port_open(p)]
            if busy:
                raise fail(
                    f"{self.name}: port(s) {busy} are taken by a process this stack did not "
                    f"start; stop it or set PACBOT_DEV_{self.name.upper()}_PORT",
                    None,
                )
            self.prepare()
            self.start()
        self.wait_ready(time.monotonic() + timeout)

    def wait_ready(self, deadline: float) -> None:
        """Poll ready() until deadline; raise with the log tail if the process dies or times out."""
        last: Exception | None = None
        while True:
            try:
                if port_open(self.port) and self.ready():
                    return
            except Exception as exc:  # readiness probes fail in many ways while starting
                last = exc
            if self.pid() is None:
                time.sleep(1.0)  # a launcher may be handing over to the real server
                if self.pid() is None:
                    raise fail(f"{self.name} exited during startup", self.log)
            if time.monotonic() > deadline:
                raise fail(f"{self.name} not ready in time (last probe error: {last!r})", self.log)
            time.sleep(0.5)

    def stop(self) -> None:
        """Stop the process (and any launcher) if it runs (idempotent)."""
        for path in self.pid_files():
            stop_pid(read_pid(path), self.marker, self.stop_signal, self.stop_timeout)
            if path.parent == self.state:
                path.unlink(missing_ok=True)
