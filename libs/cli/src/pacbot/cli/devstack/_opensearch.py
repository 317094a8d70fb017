"""OpenSearch single node from the integ-test-zip on Maven Central, run as a system user."""

from __future__ import annotations

import os
import pwd
import shutil
import zipfile
from pathlib import Path

from . import _maven
from ._component import Component
from ._config import OPENSEARCH_USER, OPENSEARCH_VERSION, java_home
from ._process import as_user, chown_tree, run, spawn, write_pid


def _unzip(archive: Path, target: Path) -> None:
    """Extract a zip, keeping the unix permission bits (bin/opensearch must stay executable)."""
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            path = Path(zf.extract(info, target))
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                path.chmod(mode)


def ensure_user(name: str, log: Path) -> None:
    """Create a system user for the server if it does not exist (root only)."""
    if os.geteuid() != 0:
        return
    try:
        pwd.getpwnam(name)
    except KeyError:
        argv = ["useradd", "--system", "--user-group", "--no-create-home"]
        run([*argv, "--shell", "/usr/sbin/nologin", name], log)


class OpenSearch(Component):
    """OpenSearch 2.x with core modules only, plain http, single-node discovery."""

    name = "opensearch"
    marker = "opensearch"
    stop_timeout = 45

    @property
    def transport_port(self) -> int:
        """Port of the transport layer."""
        return self.layout.port("opensearch_transport")

    def extra_ports(self) -> list[int]:
        """The transport port."""
        return [self.transport_port]

    @property
    def root(self) -> Path:
        """Unpacked distribution, owned by the service user."""
        return self.layout.service_dir(self.name, create=False) / f"opensearch-{OPENSEARCH_VERSION}"

    def pid_files(self) -> list[Path]:
        """The server's own pid file first, then the launcher's."""
        return [self.root / "opensearch.pid", self.pid_file]

    def prepare(self) -> None:
        """Fetch the zip once, unpack it once, and hand it to the service user."""
        coordinate = f"org.opensearch.distribution.integ-test-zip:opensearch:{OPENSEARCH_VERSION}"
        target = self.layout.cache / f"opensearch-{OPENSEARCH_VERSION}"
        _maven.fetch(f"opensearch-{OPENSEARCH_VERSION}", [f"{coordinate}:zip"], target, False)
        ensure_user(OPENSEARCH_USER, self.log)
        self.layout.service_dir(self.name)
        done = self.root / ".unpacked"
        if not done.exists():
            shutil.rmtree(self.root, ignore_errors=True)
            _unzip(target / f"opensearch-{OPENSEARCH_VERSION}.zip", self.root.parent)
            done.write_text("ok\n")
        chown_tree(self.root, OPENSEARCH_USER)

    def start(self) -> None:
        """Launch bin/opensearch as the service user, detached."""
        (self.root / "opensearch.pid").unlink(missing_ok=True)
        settings = {
            "cluster.name": "pacbot-dev",
            "node.name": "pacbot-dev-1",
            "discovery.type": "single-node",
            "network.host": "127.0.0.1",
            "http.port": str(self.port),
            "transport.port": str(self.transport_port),
            "cluster.routing.allocation.disk.threshold_enabled": "false",
            "action.auto_create_index": "true",
        }
        argv = [str(self.root / "bin" / "opensearch"), "-p", str(self.root / "opensearch.pid")]
        argv += [f"-E{key}={value}" for key, value in settings.items()]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENSEARCH_", "ES_"))}
        env.update(
            JAVA_HOME=java_home(),
            OPENSEARCH_JAVA_HOME=java_home(),
            OPENSEARCH_JAVA_OPTS="-Xms512m -Xmx512m",
            OPENSEARCH_PATH_CONF=str(self.root / "config"),
        )
        pid = spawn(as_user(OPENSEARCH_USER, argv), self.log, env=env, cwd=self.root)
        write_pid(self.pid_file, pid)

    def ready(self) -> bool:
        """GET /_cluster/health answers yellow or green."""
        import httpx

        response = httpx.get(f"{self.address()}/_cluster/health", timeout=5)
        return response.status_code == 200 and response.json().get("status") in ("green", "yellow")
