"""JSON logs on stdout, one object per line, with whatever ``extra`` fields a call adds."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Render a record as one JSON object."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(service: str, level: str = "INFO", *, json_output: bool = True) -> None:
    """Install one stdout handler on the root logger (idempotent)."""
    root = logging.getLogger()
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        JsonFormatter(service)
        if json_output
        else logging.Formatter("%(levelname)s %(name)s: %(message)s")
    )
    root.handlers = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiokafka", "botocore", "urllib3", "opensearch", "httpx", "werkzeug"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
