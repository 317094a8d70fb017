"""Dev-stack settings: directories, ports and versions, each overridable by environment."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

COMPONENTS: tuple[str, ...] = ("postgres", "kafka", "opensearch", "moto")

DEFAULT_PORTS: dict[str, int] = {
    "postgres": 55432,
    "kafka": 59092,
    "kafka_controller": 59093,
    "opensearch": 59200,
    "opensearch_transport": 59300,
    "moto": 55000,
}

KAFKA_VERSION = os.environ.get("PACBOT_DEV_KAFKA_VERSION", "4.1.1")
LOG4J_VERSION = "2.24.3"
SLF4J_VERSION = "2.0.17"
OPENSEARCH_VERSION = os.environ.get("PACBOT_DEV_OPENSEARCH_VERSION", "2.19.6")
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
JAVA17_HOME = "/usr/lib/jvm/java-17-openjdk-amd64"
PG_BIN = os.environ.get("PACBOT_DEV_PG_BIN", "/usr/lib/postgresql/15/bin")
OPENSEARCH_USER = "pacbot-os"


def java_home() -> str:
    """Pick the JDK used for Kafka and OpenSearch (Java 17 unless PACBOT_DEV_JAVA_HOME)."""
    explicit = os.environ.get("PACBOT_DEV_JAVA_HOME")
    if explicit:
        return explicit
    if Path(JAVA17_HOME, "bin", "java").exists():
        return JAVA17_HOME
    return os.environ.get("JAVA_HOME", "/usr")


def port(name: str, ports: Mapping[str, int] | None = None) -> int:
    """Port of a component: from ``ports`` (a stack's own), else PACBOT_DEV_<NAME>_PORT, else
    the fixed default."""
    if ports and name in ports:
        return ports[name]
    value = os.environ.get(f"PACBOT_DEV_{name.upper()}_PORT")
    return int(value) if value else DEFAULT_PORTS[name]


def _others_can_enter(path: Path) -> bool:
    """Tell whether every directory from / down to path is searchable by other users."""
    for part in [path, *path.parents]:
        try:
            if not part.stat().st_mode & stat.S_IXOTH:
                return False
        except OSError:
            return False
    return True


@dataclass(frozen=True)
class Layout:
    """Where the stack keeps its state (home), downloads (cache) and service-user files (shared)."""

    home: Path
    cache: Path
    shared: Path
    ports: Mapping[str, int] = field(default_factory=dict)
    """Ports this stack uses instead of the environment's or the defaults (a private stack
    next to the shared one); keys as in DEFAULT_PORTS, plus ``kafka_sasl``."""

    def port(self, name: str) -> int:
        """Port of ``name`` for this stack."""
        return port(name, self.ports)

    @classmethod
    def resolve(cls, home: Path | None, ports: Mapping[str, int] | None = None) -> Layout:
        """Resolve directories from arguments and environment, creating them."""
        if home is None:
            env_home = os.environ.get("PACBOT_DEV_HOME")
            home = Path(env_home) if env_home else Path.home() / ".cache/pacbot/devstack"
        env_cache = os.environ.get("PACBOT_CACHE_DIR")
        cache = Path(env_cache) if env_cache else Path.home() / ".cache/pacbot/downloads"
        home = home.expanduser().absolute()
        home.mkdir(parents=True, exist_ok=True)
        cache = cache.expanduser().absolute()
        cache.mkdir(parents=True, exist_ok=True)
        shared = home
        if os.geteuid() == 0 and not _others_can_enter(home):
            digest = hashlib.sha1(str(home).encode()).hexdigest()[:12]  # noqa: S324
            shared = Path("/var/tmp/pacbot-devstack") / digest  # noqa: S108
        return cls(home=home, cache=cache, shared=shared, ports=dict(ports or {}))

    def state(self, component: str) -> Path:
        """Root-owned directory for a component's pid file, log and config."""
        path = self.home / component
        path.mkdir(parents=True, exist_ok=True)
        return path

    def service_dir(self, component: str, create: bool = True) -> Path:
        """Directory a non-root service user can reach (data dirs, unpacked server)."""
        path = self.shared / component
        if create and not path.is_dir():
            path.mkdir(parents=True, exist_ok=True)
            parts = [path] if self.shared == self.home else [path, self.shared, self.shared.parent]
            for part in parts:
                part.chmod(0o755)
        return path
