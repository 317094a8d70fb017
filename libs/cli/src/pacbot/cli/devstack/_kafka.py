"""Apache Kafka, single-node KRaft (combined mode), from Maven Central jars."""

from __future__ import annotations

import asyncio
import base64
import os
import uuid
from pathlib import Path

from . import _maven
from ._component import Component
from ._config import KAFKA_VERSION, LOG4J_VERSION, SLF4J_VERSION, java_home
from ._process import DevStackError, port_open, run, spawn, write_pid

SASL_MECHANISM = "SCRAM-SHA-512"
ADMIN_USER = "admin"

_LOG4J2 = """status = warn
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.state.name = state.change.logger
logger.state.level = WARN
logger.controller.name = org.apache.kafka.controller
logger.controller.level = INFO
"""


def _cluster_id() -> str:
    """A 22-character base64url UUID, like StorageTool random-uuid."""
    while True:
        value = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not value.startswith("-"):
            return value


class Kafka(Component):
    """A KRaft broker+controller with replication 1 everywhere."""

    name = "kafka"
    marker = "kafka.Kafka"

    @property
    def controller_port(self) -> int:
        """Port of the KRaft controller listener."""
        return self.layout.port("kafka_controller")

    @property
    def sasl_port(self) -> int:
        """Port of the listener that requires SASL (SCRAM-SHA-512): PACBOT_DEV_KAFKA_SASL_PORT,
        else two above the PLAINTEXT port (59094 by default, 29094 next to 29092)."""
        if "kafka_sasl" in self.layout.ports:
            return self.layout.ports["kafka_sasl"]
        explicit = os.environ.get("PACBOT_DEV_KAFKA_SASL_PORT")
        return int(explicit) if explicit else self.port + 2

    def extra_ports(self) -> list[int]:
        """The controller listener and the SASL listener."""
        return [self.controller_port, self.sasl_port]

    def sasl_address(self) -> str:
        """Bootstrap servers of the SASL listener."""
        return f"127.0.0.1:{self.sasl_port}"

    def ensure(self, timeout: float) -> None:
        """Start unless running; a broker started before the SASL listener existed is named."""
        if self.pid() is not None and port_open(self.port) and not port_open(self.sasl_port):
            raise DevStackError(
                f"kafka runs without its SASL listener on port {self.sasl_port} (started by an "
                "older dev stack): restart it with `pacbot dev down kafka && pacbot dev up`"
            )
        super().ensure(timeout)

    def address(self) -> str:
        """Bootstrap servers string."""
        return f"127.0.0.1:{self.port}"

    @property
    def jars(self) -> Path:
        """Cached directory of the broker's runtime jars."""
        return self.layout.cache / f"kafka_2.13-{KAFKA_VERSION}" / "jars"

    def _java(self, main: str, *args: str, tool: bool = False) -> list[str]:
        """A java command line running a Kafka main class (tools get a small, quick JVM)."""
        jvm = ["-Xmx256m", "-XX:TieredStopAtLevel=1"] if tool else ["-Xms128m", "-Xmx512m"]
        return [
            f"{java_home()}/bin/java",
            *jvm,
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.state / 'log4j2.properties'}",
            "-cp",
            f"{self.jars}/*",
            main,
            *args,
        ]

    def _properties(self) -> str:
        """server.properties for combined mode on 127.0.0.1."""
        lines = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{self.controller_port}",
            "listeners": (
                f"PLAINTEXT://127.0.0.1:{self.port},SASL_PLAINTEXT://{self.sasl_address()},"
                f"CONTROLLER://127.0.0.1:{self.controller_port}"
            ),
            "advertised.listeners": (
                f"PLAINTEXT://127.0.0.1:{self.port},SASL_PLAINTEXT://{self.sasl_address()}"
            ),
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": (
                "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT"
            ),
            # The SASL listener authenticates SCRAM users (made with the admin API) and the
            # authorizer holds them to their ACLs; the PLAINTEXT listener's anonymous principal
            # (every test, the controller) is a super user, so it works as it did before.
            "sasl.enabled.mechanisms": SASL_MECHANISM,
            "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config": (
                "org.apache.kafka.common.security.scram.ScramLoginModule required;"
            ),
            "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "super.users": f"User:ANONYMOUS;User:{ADMIN_USER}",
            "allow.everyone.if.no.acl.found": "false",
            "log.dirs": str(self.state / "data"),
            "num.partitions": "3",
            "default.replication.factor": "1",
            "auto.create.topics.enable": "true",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "3",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "num.network.threads": "2",
            "num.io.threads": "2",
            "log.retention.hours": "24",
        }
        return "".join(f"{key}={value}\n" for key, value in lines.items())

    def prepare(self) -> None:
        """Fetch the jars once, write the config, and format the storage once."""
        _maven.fetch(
            f"kafka-{KAFKA_VERSION}",
            [
                f"org.apache.kafka:kafka_2.13:{KAFKA_VERSION}",
                f"org.slf4j:slf4j-api:{SLF4J_VERSION}",
                f"org.apache.logging.log4j:log4j-slf4j2-impl:{LOG4J_VERSION}",
                f"org.apache.logging.log4j:log4j-core:{LOG4J_VERSION}",
            ],
            self.jars,
        )
        (self.state / "log4j2.properties").write_text(_LOG4J2)
        config = self.state / "server.properties"
        config.write_text(self._properties())
        id_file = self.state / "cluster.id"
        if not id_file.exists():
            id_file.write_text(_cluster_id() + "\n")
        if (self.state / "data" / "meta.properties").exists():
            return
        cluster = id_file.read_text().strip()
        argv = ["format", "-t", cluster, "-c", str(config)]
        run(self._java("kafka.tools.StorageTool", *argv, tool=True), self.log, timeout=300)

    def start(self) -> None:
        """Launch kafka.Kafka detached and record its pid."""
        argv = self._java("kafka.Kafka", str(self.state / "server.properties"))
        write_pid(self.pid_file, spawn(argv, self.log, cwd=self.state))

    def ready(self) -> bool:
        """A metadata request lists this broker (it is registered and unfenced)."""
        return asyncio.run(self._metadata_ok())

    async def _metadata_ok(self) -> bool:
        """Bootstrap an aiokafka client and check the broker list."""
        from aiokafka import AIOKafkaClient

        client = AIOKafkaClient(bootstrap_servers=self.address(), request_timeout_ms=5000)
        try:
            await client.bootstrap()
            metadata = await client.fetch_all_metadata()
            return any(broker.nodeId == 1 for broker in metadata.brokers())
        finally:
            await client.close()
