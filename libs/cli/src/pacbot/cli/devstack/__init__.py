"""Dev stack: real PostgreSQL, Kafka, OpenSearch and moto as local processes, without Docker."""

from ._cli import cli
from ._config import COMPONENTS
from ._process import DevStackError
from ._stack import DevStack, StackInfo

__all__ = ["COMPONENTS", "DevStack", "DevStackError", "StackInfo", "cli"]
