"""Event bus: one contract, a Kafka adapter for clusters and an in-memory one for embedded mode."""

from pacbot.common.bus._base import EventBus, Handler, Message, partition_for
from pacbot.common.bus._kafka import KafkaBus
from pacbot.common.bus._memory import MemoryBus

__all__ = ["EventBus", "Handler", "KafkaBus", "MemoryBus", "Message", "partition_for"]
