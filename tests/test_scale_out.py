"""Two replicas each of the assessor and the violations service, in one consumer group per
service over partitioned topics, give exactly the results of one replica of each."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from pacbot.common.events import ASSETS_TOPIC, EVALUATIONS_TOPIC
from tests.pipeline_rig import (
    PrivateStack,
    build_estate,
    fresh_pipeline,
    partition_count,
    private_stack,
    run,
)

pytestmark = [pytest.mark.e2e, pytest.mark.real, pytest.mark.timeout(900)]

INSTANCES = 350  # with their volumes and network interfaces: about 1,050 assets over 3 partitions


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateStack]:
    """This module's own servers (its Kafka's topics have three partitions), with the estate."""
    with private_stack(tmp_path_factory.mktemp("scale-stack")) as own:
        build_estate(own.info.moto_url, INSTANCES)
        yield own


async def _members(bootstrap: str, group: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_consumer_groups([group])
        (group_state,) = described[0].to_object()["groups"]
        return len(group_state["members"])
    finally:
        await admin.close()


def test_two_replicas_give_the_results_of_one(
    stack: PrivateStack, tmp_path_factory: pytest.TempPathFactory
) -> None:
    single_logs = tmp_path_factory.mktemp("single")
    with fresh_pipeline(stack.info, single_logs, "scale_one") as pipe:
        single = asyncio.run(run(pipe))
    replicas = {"assessor": 2, "violations": 2}
    logs = tmp_path_factory.mktemp("replicas")
    with fresh_pipeline(stack.info, logs, "scale_two", replicas=replicas) as pipe:
        doubled = asyncio.run(run(pipe))
        bootstrap = stack.info.kafka_bootstrap
        for topic in (ASSETS_TOPIC, EVALUATIONS_TOPIC):
            assert asyncio.run(partition_count(bootstrap, topic)) >= 2
        # both replicas of each service are members of the service's one group
        assert asyncio.run(_members(bootstrap, "assessor")) == 2
        assert asyncio.run(_members(bootstrap, "violations")) == 2
    assert single.open_violations
    assert doubled.differences(single) == []
