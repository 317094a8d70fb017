"""Delivery channels: email over SMTP, a signed JSON webhook, and a Slack-compatible webhook.

Each channel has a ``name`` and ``async send(rendered, notification)``, which returns when the
receiver accepted the message and raises :class:`Retryable` (try again later) or
:class:`Permanent` (trying again cannot help) otherwise.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import smtplib
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any, Protocol

import httpx

from pacbot.common.events import utcnow
from pacbot.common.notify.templates import Rendered

SIGNATURE_HEADER = "X-PacBot-Signature"
TIMESTAMP_HEADER = "X-PacBot-Timestamp"
_RETRY_STATUSES = frozenset({408, 425, 429})


class DeliveryError(Exception):
    """A channel did not deliver; ``str(error)`` says why, for the delivery's ``last_error``."""


class Retryable(DeliveryError):
    """Not delivered this time; another attempt may succeed (timeouts, 4xx SMTP, 5xx HTTP)."""


class Permanent(DeliveryError):
    """Not delivered, and another attempt would fail the same way (rejected recipient, 4xx HTTP)."""


@dataclass(frozen=True)
class Notification:
    """What a channel needs to know about the notification it sends."""

    id: str
    kind: str
    subject_ref: str
    recipient: str | None
    context: Mapping[str, Any]
    created_at: datetime


class Channel(Protocol):
    """One way of delivering a notification."""

    name: str

    async def send(self, rendered: Rendered, notification: Notification) -> None:
        """Deliver, or raise :class:`Retryable` / :class:`Permanent`."""


# --- email -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to reach the SMTP relay."""

    host: str
    port: int = 25
    sender: str = "pacbot@localhost"
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    ssl: bool = False
    timeout: float = 10


class EmailChannel:
    """A multipart/alternative message (text, and HTML when the template has one) over SMTP.

    SMTP 4xx and connection trouble are retried; a 5xx (a refused recipient, sender or message)
    is permanent. The Message-ID is the notification's, so a retried message is recognisable.
    """

    name = "email"

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    def message(self, rendered: Rendered, notification: Notification) -> EmailMessage:
        """The email for ``notification``."""
        if not notification.recipient:
            raise Permanent("email: the notification has no recipient")
        domain = self.config.sender.rpartition("@")[2] or "pacbot"
        message = EmailMessage()
        message["From"] = self.config.sender
        message["To"] = notification.recipient
        message["Subject"] = rendered.subject
        message["Date"] = formatdate(notification.created_at.timestamp(), usegmt=True)
        message["Message-ID"] = f"<{notification.id}@{domain}>"
        message["X-PacBot-Kind"] = notification.kind
        message["X-PacBot-Subject-Ref"] = notification.subject_ref
        message.set_content(rendered.text)
        if rendered.html is not None:
            message.add_alternative(rendered.html, subtype="html")
        return message

    async def send(self, rendered: Rendered, notification: Notification) -> None:
        """Hand the message to the relay (blocking SMTP runs in a worker thread)."""
        message = self.message(rendered, notification)
        await asyncio.to_thread(self._send, message)

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        if config.ssl:
            return smtplib.SMTP_SSL(
                config.host,
                config.port,
                timeout=config.timeout,
                context=ssl.create_default_context(),
            )
        return smtplib.SMTP(config.host, config.port, timeout=config.timeout)

    def _send(self, message: EmailMessage) -> None:
        config = self.config
        try:
            client = self._connect()
            try:
                if config.starttls:
                    client.starttls(context=ssl.create_default_context())
                if config.username:
                    client.login(config.username, config.password or "")
                client.send_message(message)
            finally:
                _quit(client)  # once the message is accepted, a rude goodbye changes nothing
        except smtplib.SMTPRecipientsRefused as exc:
            refusals = list(exc.recipients.values())
            codes = [code for code, _ in refusals]
            said = "; ".join(f"{code} {_text(reply)}" for code, reply in refusals)
            if all(500 <= code < 600 for code in codes):
                raise Permanent(f"email: the relay refused the recipient: {said}") from exc
            raise Retryable(f"email: the relay deferred the recipient: {said}") from exc
        except smtplib.SMTPConnectError as exc:
            raise Retryable(
                f"email: {config.host}:{config.port} refused the connection: "
                f"{exc.smtp_code} {_text(exc.smtp_error)}"
            ) from exc
        except smtplib.SMTPResponseException as exc:
            said = f"{exc.smtp_code} {_text(exc.smtp_error)}"
            if 500 <= exc.smtp_code < 600:
                raise Permanent(f"email: the relay refused the message: {said}") from exc
            raise Retryable(f"email: the relay deferred the message: {said}") from exc
        except (smtplib.SMTPException, OSError) as exc:  # disconnects, timeouts, refused ports
            raise Retryable(
                f"email: cannot reach {config.host}:{config.port}: {type(exc).__name__}: {exc}"
            ) from exc


def _quit(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


# --- signed webhook --------------------------------------------------------------------------


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """``v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>``, the value of X-PacBot-Signature."""
    signed = f"{timestamp}.".encode() + body
    return "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str,
    timestamp: str | int | None,
    body: bytes,
    signature: str | None,
    *,
    tolerance_seconds: float = 300,
    now: float | None = None,
) -> bool:
    """For receivers: True only when ``signature`` signs ``body`` at ``timestamp`` with
    ``secret`` and the timestamp is within ``tolerance_seconds`` of ``now`` (unix seconds).

    A stale or future timestamp is refused, so a captured call cannot be replayed later; a
    receiver that must refuse replays inside the window too remembers the notification ``id``.
    The comparison is constant-time. ``signature`` may list several ``v1=`` values (comma
    separated) while a secret is rotated.
    """
    if not secret or timestamp is None or not signature:
        return False
    try:
        stamp = int(str(timestamp).strip())
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - stamp) > tolerance_seconds:
        return False
    expected = sign(secret, stamp, body)
    offered = [part.strip() for part in signature.split(",") if part.strip()]
    matches = [hmac.compare_digest(expected.encode(), part.encode()) for part in offered]
    return any(matches)


def _http_outcome(channel: str, response: httpx.Response) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    said = f"{channel}: the receiver answered {status} {_snippet(response)}".rstrip()
    if status in _RETRY_STATUSES or status >= 500:
        raise Retryable(said)
    raise Permanent(said)


def _snippet(response: httpx.Response) -> str:
    try:
        return response.text[:200].strip()
    except Exception:  # an undecodable body says nothing useful
        return ""


async def _post(
    channel: str, http: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str]
) -> None:
    try:
        response = await http.post(url, content=body, headers=headers)
    except httpx.TransportError as exc:
        raise Retryable(
            f"{channel}: cannot reach the receiver: {type(exc).__name__}: {exc}"
        ) from exc
    _http_outcome(channel, response)


class WebhookChannel:
    """POSTs every notification as JSON, signed with HMAC-SHA256 over timestamp and body."""

    name = "webhook"

    def __init__(self, url: str, secret: str, http: httpx.AsyncClient) -> None:
        self.url = url
        self.secret = secret
        self.http = http

    def payload(self, rendered: Rendered, notification: Notification) -> dict[str, Any]:
        """The JSON body: the notification, its words and its context."""
        return {
            "id": notification.id,
            "kind": notification.kind,
            "subject_ref": notification.subject_ref,
            "recipient": notification.recipient,
            "subject": rendered.subject,
            "text": rendered.text,
            "context": dict(notification.context),
            "sent_at": utcnow().isoformat(),
        }

    async def send(self, rendered: Rendered, notification: Notification) -> None:
        """POST the signed payload; 2xx delivered, 408/429/5xx retried, other 4xx permanent."""
        body = json.dumps(self.payload(rendered, notification), separators=(",", ":")).encode()
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(self.secret, timestamp, body),
        }
        await _post(self.name, self.http, self.url, body, headers)


# --- Slack-compatible incoming webhook ---------------------------------------------------------


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_mention(recipient: str | None) -> str:
    """A Slack user id (``U…``/``W…``, or ``@U…``) as a mention; anything else as plain text."""
    if not recipient:
        return "nobody in particular"
    bare = recipient.removeprefix("@")
    if bare[:1] in ("U", "W") and bare.isalnum() and bare.isupper() and len(bare) >= 9:
        return f"<@{bare}>"
    return _slack_escape(recipient)


class SlackChannel:
    """POSTs ``{"text": ...}`` (mrkdwn: bold subject, the recipient named, the text)."""

    name = "slack"

    def __init__(self, url: str, http: httpx.AsyncClient) -> None:
        self.url = url
        self.http = http

    def payload(self, rendered: Rendered, notification: Notification) -> dict[str, Any]:
        """The message Slack shows."""
        head = f"*{_slack_escape(rendered.subject)}*"
        to = f"For {slack_mention(notification.recipient)}"
        return {"text": f"{head}\n{to}\n\n{_slack_escape(rendered.text.strip())}"}

    async def send(self, rendered: Rendered, notification: Notification) -> None:
        """POST the message; the same retry rules as the webhook."""
        body = json.dumps(self.payload(rendered, notification)).encode()
        await _post(self.name, self.http, self.url, body, {"Content-Type": "application/json"})
