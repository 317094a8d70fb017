"""``kill -9`` of the autofix process mid-fix, then a fresh process: every plan finishes once.

Real pieces only: the autofix console script on the dev stack's PostgreSQL and Kafka, a moto
server of its own, and on 127.0.0.1 a small HTTP proxy in front of moto plus small HTTP servers
answering the few peer routes autofix calls (violations, inventory), each checking the caller's
internal token. The violation arrives as a ``ViolationChanged`` on Kafka; the outcome is read
from ``pacbot.autofix.v1`` by an outside consumer.

The proxy intercepts the fix's one write, ``PUT /{bucket}?publicAccessBlock``:

- ``hold``: the request waits at the proxy and the test kills the process: the backup is committed
  and AWS never saw the call (killed between backup and fix);
- ``land``: the request reaches moto, and the test kills the process before the answer returns:
  the bucket is fixed but nothing recorded it (killed between fix and record).
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import boto3
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from botocore.exceptions import ClientError
from moto.server import ThreadedMotoServer

from pacbot.cli.devstack import StackInfo
from pacbot.common.auth import InternalAuth, InternalTokens
from pacbot.common.bus import KafkaBus
from pacbot.common.events import (
    AUTOFIX_TOPIC,
    VIOLATIONS_TOPIC,
    AssetSummary,
    AutofixSpec,
    Envelope,
    PolicyRef,
    ViolationChanged,
    utcnow,
)
from pacbot.common.testing import eventually, serving_http, start_group_at_end
from tests.services import BINDIR, free_port, fresh_database, service_env

pytestmark = [pytest.mark.real, pytest.mark.timeout(240)]

ACCOUNT = "123456789012"
POLICY = "aws-s3-bucket-public-access"
FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
DATABASE = "pacbot_autofix_crash"
LEASE_SECONDS = 2
TIMEOUT = 60


# --- moto behind a proxy that can stop the fix's write ------------------------------------------


@dataclass
class Gate:
    """What the proxy does with the next ``PutPublicAccessBlock``, and what it has seen."""

    mode: str = "pass"
    """``hold`` (never forward it), ``land`` (forward it, never answer), ``pass``."""
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    puts: int = 0
    """PutPublicAccessBlock calls that reached the proxy."""
    landed: int = 0
    """PutPublicAccessBlock calls forwarded to moto."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_put(self) -> str:
        """Count an arriving write and take the mode for it; only the first one is stopped."""
        with self.lock:
            self.puts += 1
            mode, self.mode = self.mode, "pass"
            return mode

    def stop_here(self) -> None:
        """Tell the test the write is stopped, and wait until it killed the process."""
        self.arrived.set()
        self.release.wait(timeout=TIMEOUT)


HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length"})


def proxy_handler(target: str, gate: Gate) -> type[BaseHTTPRequestHandler]:
    """A handler forwarding every request to ``target`` (moto), stopping the fix's write."""
    upstream = urlsplit(target)

    class Relay(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
            conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                conn.request(self.command, self.path, body=body, headers=headers)
                answer = conn.getresponse()
                return answer.status, answer.getheaders(), answer.read()
            finally:
                conn.close()

        def _relay(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            query = urlsplit(self.path).query.split("&")
            if self.command == "PUT" and "publicAccessBlock" in query:
                mode = gate.next_put()
                if mode == "hold":
                    gate.stop_here()
                    return  # never forwarded: the connection just closes
                status, headers, data = self._forward(body)
                with gate.lock:
                    gate.landed += 1
                if mode == "land":
                    gate.stop_here()
                    return  # moto changed the bucket; its answer is lost
            else:
                status, headers, data = self._forward(body)
            self.send_response(status)
            for name, value in headers:
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _relay

    return Relay


# --- the peers autofix asks before it acts ------------------------------------------------------


@dataclass
class Peers:
    """Violations and inventory as autofix sees them: the open violations, one account."""

    secret: str
    open_violations: set[str] = field(default_factory=set)
    refused: list[str] = field(default_factory=list)

    def answer(self, path: str, authorization: str | None) -> tuple[int, dict[str, Any]]:
        """The status and JSON body for ``GET path`` from a caller bearing ``authorization``."""
        audience = "violations" if path.startswith("/violations/") else "inventory"
        try:
            InternalTokens(self.secret).verify(
                (authorization or "").removeprefix("Bearer "), audience
            )
        except Exception as exc:
            self.refused.append(f"{path}: {exc}")
            return 401, {"error": "Unauthorized", "detail": str(exc)}
        if path.startswith("/violations/"):
            violation_id = unquote(path.removeprefix("/violations/"))
            if violation_id not in self.open_violations:
                return 404, {"error": "NotFound", "detail": "no such violation"}
            return 200, {"violation_id": violation_id, "status": "open", "policy_id": POLICY}
        if path.startswith("/accounts/") and path.endswith("/access"):
            account_id = path.split("/")[2]
            if account_id != ACCOUNT:
                return 404, {"error": "NotFound", "detail": "no such account"}
            access = {"role_arn": None, "external_id": None, "enabled": True}
            return 200, {"account_id": account_id, **access}
        if path.startswith("/assets/"):
            asset_id = unquote(path.removeprefix("/assets/"))
            return 200, {"asset_id": asset_id, "tags": {}, "config": {}, "deleted": False}
        return 404, {"error": "NotFound", "detail": path}

    def handler(self) -> type[BaseHTTPRequestHandler]:
        """The HTTP handler serving :meth:`answer`."""
        peers = self

        class PeerRoutes(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                status, body = peers.answer(path, self.headers.get("Authorization"))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return PeerRoutes


# --- the autofix process -----------------------------------------------------------------------


@dataclass
class Autofix:
    """Starts the ``pacbot-autofix`` console script; each start is a new process on a new port."""

    env: dict[str, str]
    name: str
    logs: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    url: str = ""

    def start(self) -> subprocess.Popen[bytes]:
        """A new process, once its /readyz answers 200."""
        port = free_port()
        env = {**self.env, "PACBOT_AUTOFIX_PORT": str(port)}
        log = self.logs / f"autofix-{len(self.processes)}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [str(BINDIR / "pacbot-autofix")], env=env, stdout=out, stderr=subprocess.STDOUT
            )
        self.processes.append(proc)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"autofix exited with {proc.returncode}:\n{log.read_text()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return proc
            time.sleep(0.2)
        raise RuntimeError(f"autofix not ready after 120s:\n{log.read_text()[-4000:]}")

    def api(self) -> httpx.AsyncClient:
        """A client to the running process, signed as a peer would sign."""
        tokens = InternalTokens(self.env["PACBOT_INTERNAL_SECRET"])
        auth = InternalAuth(tokens, caller="crash-test", audience=self.name)
        return httpx.AsyncClient(base_url=self.url, timeout=30, auth=auth)

    def stop_all(self) -> None:
        """Terminate what still runs (killed ones are reaped)."""
        for proc in self.processes:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.processes:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def kill_9(proc: subprocess.Popen[bytes]) -> None:
    """``kill -9``: no shutdown hook, no rollback, no last commit."""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL


# --- fixtures ----------------------------------------------------------------------------------


@dataclass
class Rig:
    """Everything one crash test runs against."""

    autofix: Autofix
    gate: Gate
    peers: Peers
    s3: Any
    """A client straight to moto (not through the proxy)."""
    bootstrap: str
    reader_group: str


@pytest.fixture
async def rig(stack: StackInfo, tmp_path: Path) -> AsyncIterator[Rig]:
    """A moto server with the proxy in front, the peers, a fresh database, an autofix config with
    a short lease, and Kafka groups (autofix's and the reader's) that start at the topics' end."""
    unique = uuid.uuid4().hex[:8]
    name = f"autofix_crash_{unique}"  # its own schema and consumer group on the shared broker
    await fresh_database(stack, DATABASE)
    await KafkaBus(stack.kafka_bootstrap, client_id=name).ensure_topics(
        [VIOLATIONS_TOPIC, AUTOFIX_TOPIC]
    )
    reader = f"crash-test-reader-{unique}"
    for group, topic in ((name, VIOLATIONS_TOPIC), (reader, AUTOFIX_TOPIC)):
        await start_group_at_end(stack.kafka_bootstrap, group, await partitions(stack, topic))

    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    moto_url = f"http://{host}:{port}"
    gate = Gate()
    env = service_env(stack, DATABASE, {"autofix": free_port()}, {})
    peers = Peers(env["PACBOT_INTERNAL_SECRET"])
    try:
        with (
            serving_http(proxy_handler(moto_url, gate)) as proxy,
            serving_http(peers.handler()) as peer,
        ):
            env.update(
                {
                    "PACBOT_AUTOFIX_SERVICE_NAME": name,
                    "PACBOT_AUTOFIX_BUS": "kafka",
                    "AWS_ENDPOINT_URL": proxy,
                    "PACBOT_AUTOFIX_AWS_ENDPOINT_URL": proxy,
                    "PACBOT_AUTOFIX_SERVICE_URLS": json.dumps(
                        {"violations": peer, "inventory": peer, "assessor": peer}
                    ),
                    "PACBOT_AUTOFIX_POLICIES": json.dumps(
                        {POLICY: {"accounts": [ACCOUNT], "immediate": True}}
                    ),
                    "PACBOT_AUTOFIX_LEASE_SECONDS": str(LEASE_SECONDS),
                    "PACBOT_AUTOFIX_TIMER_POLL_SECONDS": "0.2",
                    "PACBOT_AUTOFIX_NOTIFY_POLL_SECONDS": "0.2",
                }
            )
            autofix = Autofix(env, name, tmp_path)
            s3 = boto3.client(
                "s3",
                endpoint_url=moto_url,
                region_name="us-east-1",
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            )
            try:
                yield Rig(autofix, gate, peers, s3, stack.kafka_bootstrap, reader)
            finally:
                gate.release.set()  # a held request never outlives the test
                autofix.stop_all()
    finally:
        moto.stop()


async def partitions(stack: StackInfo, topic: str) -> list[TopicPartition]:
    """Every partition of ``topic``."""
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return [TopicPartition(topic, p["partition"]) for d in described for p in d["partitions"]]


# --- helpers -----------------------------------------------------------------------------------


def public_bucket(s3: Any) -> str:
    name = f"crash-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_acl(Bucket=name, ACL="public-read")
    return name


def block_of(s3: Any, bucket: str) -> dict[str, bool] | None:
    try:
        return dict(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"])
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NoSuchPublicAccessBlockConfiguration":
            raise
        return None


async def violation_opened(rig: Rig, bucket: str) -> str:
    """Publish the violations service's ``opened`` event for ``bucket``; its violation id."""
    violation_id = f"v-crash-{bucket}"
    rig.peers.open_violations.add(violation_id)
    event = ViolationChanged(
        event_type="pacbot.violation.opened",
        violation_id=violation_id,
        asset=AssetSummary(
            asset_id=f"arn:aws:s3:::{bucket}",
            account_id=ACCOUNT,
            region="us-east-1",
            resource_type="aws.s3.bucket",
            name=bucket,
            tags={"Owner": "team@x.example"},
            owner="team@x.example",
        ),
        policy=PolicyRef(
            policy_id=POLICY,
            name="S3 buckets must not be publicly accessible",
            severity="critical",
            category="security",
            autofix=AutofixSpec(action="s3-block-public-access", grace_seconds=86400),
        ),
        status="open",
        reason="public ACL grants and no PublicAccessBlock",
        asset_version=1,
        episode=1,
        occurred_at=utcnow(),
    )
    producer = AIOKafkaProducer(bootstrap_servers=rig.bootstrap)
    await producer.start()
    try:
        envelope = Envelope.wrap(event, source="violations", subject=violation_id)
        await producer.send_and_wait(VIOLATIONS_TOPIC, envelope.encode(), key=violation_id.encode())
    finally:
        await producer.stop()
    return violation_id


async def running_plan(rig: Rig, violation_id: str) -> dict[str, Any]:
    """The plan of the violation, asked of the process whose write the proxy is holding."""
    async with rig.autofix.api() as api:
        listed = await api.get("/fixes", params={"violation_id": violation_id})
        assert listed.status_code == 200, listed.text
        (item,) = listed.json()["items"]
        found = await api.get(f"/fixes/{item['plan_id']}")
    assert found.status_code == 200, found.text
    body: dict[str, Any] = found.json()
    return body


async def finished(rig: Rig, plan_id: str) -> dict[str, Any]:
    """The plan once the (new) process has taken it out of ``running``."""

    async def probe() -> dict[str, Any] | None:
        async with rig.autofix.api() as api:
            found = await api.get(f"/fixes/{plan_id}")
        assert found.status_code == 200, found.text
        body: dict[str, Any] = found.json()
        return body if body["status"] != "running" else None

    return await eventually(probe, timeout=TIMEOUT, what=f"plan {plan_id} settled")


async def events_of(rig: Rig, plan_id: str) -> list[str]:
    """The plan's events on ``pacbot.autofix.v1`` as an outside consumer reads them: until its
    ``applied`` and then a quiet spell in which no further event of the plan arrives."""
    consumer = AIOKafkaConsumer(
        AUTOFIX_TOPIC,
        bootstrap_servers=rig.bootstrap,
        group_id=rig.reader_group,
        enable_auto_commit=False,
    )
    seen: list[str] = []
    quiet_since: list[float] = []
    await consumer.start()
    try:

        async def read() -> bool:
            batches = await consumer.getmany(timeout_ms=500)
            for records in batches.values():
                for record in records:
                    assert record.value is not None
                    data = Envelope.decode(record.value).data
                    if data["plan_id"] == plan_id:
                        seen.append(data["event_type"].removeprefix("pacbot.fix."))
                        quiet_since.clear()
            if "applied" not in seen:
                return False
            if not quiet_since:
                quiet_since.append(time.monotonic())
            return time.monotonic() - quiet_since[0] > 3

        await eventually(read, timeout=TIMEOUT, what=f"the events of {plan_id}")
    finally:
        await consumer.stop()
    return seen


def steps(plan: dict[str, Any]) -> list[str]:
    return [step["step"] for step in plan["history"]]


async def killed_at_the_write(rig: Rig, mode: str) -> tuple[str, dict[str, Any]]:
    """Start autofix, send it a violation, and ``kill -9`` it while the proxy stops the write in
    ``mode``; the bucket and the plan as the killed process left it."""
    rig.gate.mode = mode
    first = await asyncio.to_thread(rig.autofix.start)
    bucket = public_bucket(rig.s3)
    violation_id = await violation_opened(rig, bucket)
    assert await asyncio.to_thread(rig.gate.arrived.wait, TIMEOUT), "the fix never wrote"
    left = await running_plan(rig, violation_id)
    assert left["status"] == "running"
    assert left["backup"] == {"PublicAccessBlock": None}
    assert "backed_up" in steps(left)  # committed before the write left the process
    kill_9(first)
    rig.gate.release.set()
    return bucket, left


# --- the tests ---------------------------------------------------------------------------------


async def test_killed_between_backup_and_fix_the_fix_is_applied_once(rig: Rig) -> None:
    bucket, left = await killed_at_the_write(rig, "hold")
    assert block_of(rig.s3, bucket) is None  # AWS never saw the write
    assert (rig.gate.puts, rig.gate.landed) == (1, 0)

    await asyncio.to_thread(rig.autofix.start)  # a fresh process, once the lease ran out
    done = await finished(rig, left["plan_id"])

    assert done["status"] == "applied", done["detail"]
    assert done["detail"].startswith("applied and verified"), done["detail"]
    assert block_of(rig.s3, bucket) == dict.fromkeys(FLAGS, True)
    assert done["backup"] == {"PublicAccessBlock": None}
    assert (rig.gate.puts, rig.gate.landed) == (2, 1)  # the dead one's never reached moto
    history = steps(done)
    assert history.count("backed_up") == 2, history
    assert history.count("applied") == 1, history
    events = await events_of(rig, left["plan_id"])
    assert events.count("applied") == 1, events
    assert events[-1] == "applied", events
    assert rig.peers.refused == []


async def test_killed_between_fix_and_record_the_plan_is_settled_without_calling_again(
    rig: Rig,
) -> None:
    bucket, left = await killed_at_the_write(rig, "land")
    assert block_of(rig.s3, bucket) == dict.fromkeys(FLAGS, True)  # the write had landed
    assert (rig.gate.puts, rig.gate.landed) == (1, 1)

    await asyncio.to_thread(rig.autofix.start)
    done = await finished(rig, left["plan_id"])

    assert done["status"] == "applied", done["detail"]
    assert "settled after an interrupted run: the fix is in place" in done["detail"]
    assert (rig.gate.puts, rig.gate.landed) == (1, 1)  # nothing written after the restart
    assert done["backup"] == {"PublicAccessBlock": None}  # the backup from before the fix
    history = steps(done)
    assert history.count("applied") == 1, history
    (applied,) = [step for step in done["history"] if step["step"] == "applied"]
    assert "settled after an interrupted run" in applied["detail"]
    assert applied["data"]["calls"] == []
    events = await events_of(rig, left["plan_id"])
    assert events.count("applied") == 1, events
    assert events[-1] == "applied", events
    assert rig.peers.refused == []
