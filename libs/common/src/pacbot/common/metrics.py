"""Prometheus metrics shared by every service, labelled so embedded mode stays readable."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

EVENTS_CONSUMED = Counter(
    "pacbot_events_consumed_total", "Events handled by a consumer", ["group", "topic", "outcome"]
)
EVENTS_PUBLISHED = Counter("pacbot_events_published_total", "Events published", ["topic"])
OUTBOX_PUBLISHED = Counter(
    "pacbot_outbox_published_total", "Outbox rows sent to the bus", ["service"]
)
HTTP_REQUESTS = Histogram(
    "pacbot_http_request_seconds",
    "HTTP request latency",
    ["service", "method", "route", "status"],
)


def render() -> tuple[bytes, str]:
    """The exposition text and its content type."""
    return generate_latest(), CONTENT_TYPE_LATEST
