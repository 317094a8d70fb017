"""PostgreSQL 15 from Debian's packages, run as the postgres user on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from pathlib import Path

from ._component import Component
from ._config import PG_BIN
from ._process import DevStackError, as_user, chown_tree, run, spawn

DATABASE = "pacbot"
PG_USER = "postgres"


class Postgres(Component):
    """A throwaway PostgreSQL cluster with trust auth and the pacbot database."""

    name = "postgres"
    marker = "postgres"
    stop_signal = signal.SIGINT  # fast shutdown

    @property
    def data_dir(self) -> Path:
        """Cluster data directory (owned by the postgres user)."""
        return self.layout.service_dir(self.name, create=False) / "data"

    @property
    def socket_dir(self) -> Path:
        """Unix socket directory the server owns."""
        return self.layout.service_dir(self.name, create=False) / "run"

    def pid_files(self) -> list[Path]:
        """The postmaster writes its own pid file."""
        return [self.data_dir / "postmaster.pid"]

    def address(self) -> str:
        """SQLAlchemy URL of the pacbot database."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def _bin(self, tool: str) -> str:
        """Path of a PostgreSQL binary, with a hint when the package is missing."""
        path = Path(PG_BIN) / tool
        if not path.exists():
            raise DevStackError(
                f"{path} not found: install PostgreSQL 15 (apt-get install postgresql-15) "
                "or set PACBOT_DEV_PG_BIN"
            )
        return str(path)

    def prepare(self) -> None:
        """Create the cluster once with initdb."""
        initdb = self._bin("initdb")
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.layout.service_dir(self.name)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)
        chown_tree(self.data_dir, PG_USER)
        chown_tree(self.socket_dir, PG_USER)
        argv = [initdb, "-D", str(self.data_dir), "-A", "trust", "-U", PG_USER]
        run(as_user(PG_USER, [*argv, "-E", "UTF8", "--no-sync"]), self.log, cwd=Path("/"))

    def start(self) -> None:
        """Launch the postmaster through pg_ctl (it detaches and writes postmaster.pid)."""
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        chown_tree(self.socket_dir, PG_USER)
        (self.data_dir / "postmaster.pid").unlink(missing_ok=True)  # stale: no live postmaster
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off "
            f"-c synchronous_commit=off -c full_page_writes=off "
            f"-c unix_socket_directories={self.socket_dir}"
        )
        argv = [self._bin("pg_ctl"), "-D", str(self.data_dir), "-o", options, "-W", "start"]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        spawn(as_user(PG_USER, argv), self.log, env=env, cwd=Path("/"))

    def ready(self) -> bool:
        """Connect with asyncpg and create the pacbot database if it is missing."""
        return asyncio.run(self._ensure_database())

    async def _ensure_database(self) -> bool:
        """Connect to the maintenance database and create pacbot once."""
        import asyncpg

        conn = await asyncpg.connect(
            host="127.0.0.1", port=self.port, user=PG_USER, database="postgres", timeout=5
        )
        try:
            found = await conn.fetchval("select 1 from pg_database where datname = $1", DATABASE)
            if not found:
                with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                    await conn.execute(f'create database "{DATABASE}"')
        finally:
            await conn.close()
        return True
