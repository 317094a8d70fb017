"""A real SMTP server on 127.0.0.1 that keeps every message: the owners' mailbox in the demo.

AutoFix acts only once the owner's notice was delivered, so the demo needs a mailbox that really
accepts mail; the report lists what arrived.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass(frozen=True)
class Email:
    """One message the sink accepted: the envelope's recipients and the headers that matter."""

    to: str
    subject: str
    kind: str
    """``X-PacBot-Kind``: notice, reminder, escalation, outcome... (empty when absent)."""
    ref: str
    """``X-PacBot-Subject-Ref``: the plan (or exception) the message is about."""

    def as_dict(self) -> dict[str, str]:
        """The message as the demo's result reports it."""
        return {"to": self.to, "subject": self.subject, "kind": self.kind, "ref": self.ref}


@dataclass
class SmtpSink:
    """An aiosmtpd handler that accepts every message and keeps it in ``messages``."""

    host: str = "127.0.0.1"
    port: int = 0
    messages: list[Email] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Keep the message; answer 250 so the sender counts it as delivered."""
        content = envelope.content or b""
        raw = content if isinstance(content, bytes) else content.encode()
        message = email.message_from_bytes(raw, policy=email.policy.default)
        self.messages.append(
            Email(
                to=", ".join(envelope.rcpt_tos) or str(message.get("To", "")),
                subject=str(message.get("Subject", "")),
                kind=str(message.get("X-PacBot-Kind", "")),
                ref=str(message.get("X-PacBot-Subject-Ref", "")),
            )
        )
        return "250 Message accepted for delivery"

    def about(self, ref: str, *kinds: str) -> list[Email]:
        """The messages about ``ref`` (of ``kinds``, when given), in arrival order."""
        return [m for m in self.messages if m.ref == ref and (not kinds or m.kind in kinds)]


@asynccontextmanager
async def smtp_sink(host: str = "127.0.0.1") -> AsyncIterator[SmtpSink]:
    """A real SMTP server on a free loopback port, served by the running event loop.

    The senders speak blocking ``smtplib`` from worker threads, so serving from this loop never
    deadlocks; ``hostname`` is fixed so aiosmtpd does not wait on a reverse DNS lookup.
    """
    sink = SmtpSink(host=host)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(sink, hostname="pacbot-demo-sink", loop=loop), host, 0
    )
    sink.port = int(server.sockets[0].getsockname()[1])
    try:
        yield sink
    finally:
        server.close()
        await server.wait_closed()
