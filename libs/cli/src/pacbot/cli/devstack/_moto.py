"""moto in server mode: a local AWS endpoint."""

from __future__ import annotations

import sys

from ._component import Component
from ._process import spawn, write_pid


class Moto(Component):
    """python -m moto.server on 127.0.0.1, using this interpreter."""

    name = "moto"
    marker = "moto.server"
    stop_timeout = 15

    def start(self) -> None:
        """Launch moto.server detached and record its pid."""
        argv = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]
        write_pid(self.pid_file, spawn(argv, self.log, cwd=self.state))

    def ready(self) -> bool:
        """The moto dashboard API answers 200."""
        import httpx

        return httpx.get(f"{self.address()}/moto-api/", timeout=5).status_code == 200
