"""The dev stack against real servers: PostgreSQL, Kafka, OpenSearch and moto on 127.0.0.1."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import asyncpg
import boto3
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from pacbot.cli.devstack import COMPONENTS, DevStack, DevStackError, StackInfo, cli

pytestmark = [pytest.mark.real, pytest.mark.timeout(1200)]


@pytest.fixture(scope="module")
def stack() -> DevStack:
    """The shared dev stack, brought up once and left running for other tests."""
    dev = DevStack()
    dev.up()
    return dev


@pytest.fixture(scope="module")
def info(stack: DevStack) -> StackInfo:
    """Addresses of the running stack."""
    return stack.info()


async def test_postgres_answers_in_pacbot_database(info: StackInfo) -> None:
    conn = await asyncpg.connect(info.postgres_url.replace("+asyncpg", ""))
    try:
        assert await conn.fetchval("select 1") == 1
        assert await conn.fetchval("select current_database()") == "pacbot"
    finally:
        await conn.close()


async def test_kafka_produces_and_consumes(info: StackInfo) -> None:
    topic = f"devstack-{uuid.uuid4().hex[:12]}"
    producer = AIOKafkaProducer(bootstrap_servers=info.kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"hello", key=b"k")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=info.kafka_bootstrap,
        group_id=f"g-{topic}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        message = await consumer.getone()
    finally:
        await consumer.stop()
    assert (message.key, message.value) == (b"k", b"hello")


async def test_opensearch_indexes_and_gets(info: StackInfo) -> None:
    index = f"devstack-{uuid.uuid4().hex[:12]}"
    async with httpx.AsyncClient(base_url=info.opensearch_url, timeout=30) as client:
        put = await client.put(f"/{index}/_doc/1", params={"refresh": "true"}, json={"a": 1})
        assert put.status_code == 201, put.text
        got = await client.get(f"/{index}/_doc/1")
        assert got.json()["_source"] == {"a": 1}
        health = await client.get("/_cluster/health")
        assert health.json()["status"] in ("green", "yellow")
        await client.delete(f"/{index}")


def test_moto_serves_s3(info: StackInfo) -> None:
    s3 = boto3.client(
        "s3",
        endpoint_url=info.moto_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    bucket = f"devstack-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert bucket in names


def test_second_up_is_idempotent_and_quick(stack: DevStack) -> None:
    before = {name: row["pid"] for name, row in stack.status().items()}
    started = time.monotonic()
    again = DevStack().up()
    elapsed = time.monotonic() - started
    after = {name: row["pid"] for name, row in stack.status().items()}
    assert again == stack.info()
    assert after == before
    assert elapsed < 20


def test_status_reports_running(stack: DevStack) -> None:
    rows = stack.status()
    assert set(rows) == set(COMPONENTS)
    for row in rows.values():
        assert row["running"] is True
        assert isinstance(row["pid"], int)
    assert rows["kafka"]["address"] == stack.info().kafka_bootstrap


def test_stack_env_file(stack: DevStack, info: StackInfo) -> None:
    lines = (stack.home / "stack.env").read_text().splitlines()
    env = dict(line.split("=", 1) for line in lines)
    assert env == info.env()
    assert env["PACBOT_POSTGRES_URL"].startswith("postgresql+asyncpg://postgres@127.0.0.1:")
    assert env["AWS_DEFAULT_REGION"] == "us-east-1"


def test_cli_status_and_up_env_file(
    stack: DevStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["status"]) == 0
    table = capsys.readouterr().out
    assert "opensearch" in table
    assert "yes" in table
    env_file = tmp_path / "dev.env"
    assert cli(["up", "moto", "--env-file", str(env_file)]) == 0
    out = capsys.readouterr().out
    assert f"AWS_ENDPOINT_URL={stack.info().moto_url}" in out
    assert f"AWS_ENDPOINT_URL={stack.info().moto_url}" in env_file.read_text()


def test_unknown_component_is_an_error(stack: DevStack) -> None:
    with pytest.raises(DevStackError, match="unknown component"):
        stack.up(["redis"])
    assert cli(["down", "redis"]) == 1


def test_port_override_and_foreign_port(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, info: StackInfo
) -> None:
    # Another home pointing moto at the port the shared moto already holds: refused, not reused.
    monkeypatch.setenv("PACBOT_DEV_MOTO_PORT", info.moto_url.rsplit(":", 1)[1])
    other = DevStack(tmp_path / "other")
    assert other.info().moto_url == info.moto_url
    with pytest.raises(DevStackError, match="taken by a process"):
        other.up(["moto"])
    assert other.status()["moto"]["running"] is False


def test_moto_down_and_up_in_a_private_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PACBOT_DEV_MOTO_PORT", "55011")
    private = DevStack(tmp_path / "private")
    try:
        first = private.up(["moto"], timeout=60)
        assert first.moto_url == "http://127.0.0.1:55011"
        pid = private.status()["moto"]["pid"]
        assert private.status()["moto"]["running"]
        private.down(["moto"])
        assert private.status()["moto"] == {
            "running": False,
            "pid": None,
            "address": first.moto_url,
            "log": private.status()["moto"]["log"],
        }
        private.down(["moto"])  # idempotent
        private.up(["moto"], timeout=60)
        assert private.status()["moto"]["pid"] != pid
    finally:
        private.down(["moto"])


def test_ports_given_in_process_beat_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A private stack next to the shared one names its ports without touching the environment.
    monkeypatch.setenv("PACBOT_DEV_KAFKA_PORT", "29092")
    ports = {"postgres": 41001, "kafka": 41002, "kafka_controller": 41003, "kafka_sasl": 41004}
    ports |= {"opensearch": 41005, "opensearch_transport": 41006, "moto": 41007}
    info = DevStack(tmp_path / "own", ports).info()
    assert info.postgres_url == "postgresql+asyncpg://postgres@127.0.0.1:41001/pacbot"
    assert (info.kafka_bootstrap, info.kafka_sasl_bootstrap) == (
        "127.0.0.1:41002",
        "127.0.0.1:41004",
    )
    assert (info.opensearch_url, info.moto_url) == (
        "http://127.0.0.1:41005",
        "http://127.0.0.1:41007",
    )
    own = DevStack(tmp_path / "own", ports)
    kafka, search = own.components["kafka"], own.components["opensearch"]
    assert kafka.extra_ports() == [41003, 41004]
    assert search.extra_ports() == [41006]
    assert DevStack(tmp_path / "env").info().kafka_bootstrap == "127.0.0.1:29092"
