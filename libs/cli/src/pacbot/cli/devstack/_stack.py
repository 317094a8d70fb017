"""The DevStack facade: bring components up in parallel, idempotently, and report them."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from ._component import Component
from ._config import COMPONENTS, Layout
from ._kafka import Kafka
from ._moto import Moto
from ._opensearch import OpenSearch
from ._postgres import Postgres
from ._process import DevStackError

_CLASSES: dict[str, type[Component]] = {
    "postgres": Postgres,
    "kafka": Kafka,
    "opensearch": OpenSearch,
    "moto": Moto,
}


@dataclass(frozen=True)
class StackInfo:
    """Addresses of the dev stack's servers."""

    postgres_url: str
    kafka_bootstrap: str
    opensearch_url: str
    moto_url: str
    kafka_sasl_bootstrap: str
    """The listener that requires SASL/SCRAM-SHA-512 and enforces ACLs."""

    def env(self) -> dict[str, str]:
        """Environment variables that point PacBot (and boto3) at the stack."""
        return {
            "PACBOT_POSTGRES_URL": self.postgres_url,
            "PACBOT_KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
            "PACBOT_OPENSEARCH_URL": self.opensearch_url,
            "PACBOT_DEV_KAFKA_SASL_BOOTSTRAP_SERVERS": self.kafka_sasl_bootstrap,
            "AWS_ENDPOINT_URL": self.moto_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }


def _check(components: Iterable[str]) -> list[str]:
    """Validate component names, keeping the canonical order."""
    wanted = list(components)
    unknown = [name for name in wanted if name not in _CLASSES]
    if unknown:
        raise DevStackError(f"unknown component(s) {unknown}; choose from {list(COMPONENTS)}")
    return [name for name in COMPONENTS if name in wanted]


class DevStack:
    """Real PostgreSQL, Kafka, OpenSearch and moto as local detached processes."""

    def __init__(self, home: Path | None = None, ports: Mapping[str, int] | None = None) -> None:
        """Use home ($PACBOT_DEV_HOME or ~/.cache/pacbot/devstack) for state and logs, and
        ``ports`` (names as in DEFAULT_PORTS, plus ``kafka_sasl``) instead of the usual ones."""
        self.layout = Layout.resolve(home, ports)
        self.home = self.layout.home
        self.components: dict[str, Component] = {
            name: cls(self.layout) for name, cls in _CLASSES.items()
        }

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialise up/down across processes sharing this home."""
        with open(self.home / ".lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def info(self) -> StackInfo:
        """Addresses of all components (whether running or not)."""
        c = self.components
        kafka = cast(Kafka, c["kafka"])
        return StackInfo(
            postgres_url=c["postgres"].address(),
            kafka_bootstrap=c["kafka"].address(),
            opensearch_url=c["opensearch"].address(),
            moto_url=c["moto"].address(),
            kafka_sasl_bootstrap=kafka.sasl_address(),
        )

    def up(self, components: Iterable[str] = COMPONENTS, timeout: float = 240) -> StackInfo:
        """Start what is not running, wait until ready (timeout counts after downloads)."""
        names = _check(components)
        with self._locked(), ThreadPoolExecutor(max_workers=max(1, len(names))) as pool:
            futures = {name: pool.submit(self.components[name].ensure, timeout) for name in names}
            errors = []
            for name, future in futures.items():
                try:
                    future.result()
                except Exception as exc:
                    errors.append(f"[{name}] {exc}")
            if errors:
                raise DevStackError("dev stack failed to come up:\n" + "\n\n".join(errors))
        info = self.info()
        self.write_env(self.home / "stack.env", info)
        return info

    @staticmethod
    def write_env(path: Path, info: StackInfo) -> None:
        """Write KEY=VALUE lines for the stack."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{k}={v}\n" for k, v in info.env().items()))

    def down(self, components: Iterable[str] = COMPONENTS) -> None:
        """Stop the processes this stack started (idempotent)."""
        names = _check(components)
        with self._locked(), ThreadPoolExecutor(max_workers=max(1, len(names))) as pool:
            for future in [pool.submit(self.components[n].stop) for n in names]:
                future.result()

    def status(self) -> dict[str, dict[str, Any]]:
        """Per component: running, pid and address."""
        result: dict[str, dict[str, Any]] = {}
        for name in COMPONENTS:
            component = self.components[name]
            pid = component.pid()
            result[name] = {
                "running": component.running(),
                "pid": pid,
                "address": component.address(),
                "log": str(component.log),
            }
        return result
