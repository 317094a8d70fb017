"""Event bus: one contract, a Kafka adapter for clusters and an in-memory one for embedded mode."""

from pacbot.common.bus._base import (
    DEFAULT_MAX_BATCH,
    BatchHandler,
    EventBus,
    Handler,
    Message,
    Outgoing,
    partition_for,
)
from pacbot.common.bus._kafka import KafkaBus
from pacbot.common.bus._memory import MemoryBus
from pacbot.common.bus._security import KafkaSecurity

__all__ = [
    "DEFAULT_MAX_BATCH",
    "BatchHandler",
    "EventBus",
    "Handler",
    "KafkaBus",
    "KafkaSecurity",
    "MemoryBus",
    "Message",
    "Outgoing",
    "partition_for",
]
