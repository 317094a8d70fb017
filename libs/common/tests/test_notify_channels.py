"""Notification channels against real servers on 127.0.0.1: an SMTP server (aiosmtpd) and an
HTTP receiver that checks the webhook signature; plus settings, addresses and templates.

The receivers here are reused by ``test_notify_dispatch.py``.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from pacbot.common.notify import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    EmailChannel,
    Notification,
    NotifySettings,
    Permanent,
    Rendered,
    Retryable,
    SlackChannel,
    SmtpConfig,
    TemplateError,
    Templates,
    WebhookChannel,
    is_email,
    owner_from_tags,
    sign,
    verify_signature,
)
from pacbot.common.testing import served

SECRET = "s3cret-for-tests-only-0123456789abcdef"
TEMPLATE_FILES = {
    "notice.subject.txt": "Fix planned for\n  {{ asset }}\n",
    "notice.txt": "Hello {{ recipient }},\n{{ asset }} will be fixed: {{ note }}\n",
    "notice.html": "<p>{{ asset }} will be fixed: <b>{{ note }}</b></p>\n",
    "plain.subject.txt": "Plain {{ n }}",
    "plain.txt": "n={{ n }}\n",
    "digest.subject.txt": "{{ count }} open items on {{ day }}",
    "digest.txt": "{% for item in items %}- {{ item.name }}\n{% endfor %}",
    "broken.txt": "no subject file for this one",
}


def template_package(root: Path, monkeypatch: pytest.MonkeyPatch) -> Templates:
    """A throwaway package holding the test templates, importable for this test only."""
    name = f"notify_templates_{uuid.uuid4().hex[:8]}"
    folder = root / name / "templates"
    folder.mkdir(parents=True)
    (root / name / "__init__.py").write_text("")
    for file, text in TEMPLATE_FILES.items():
        (folder / file).write_text(text)
    monkeypatch.syspath_prepend(str(root))
    return Templates(name, "templates")


def free_port() -> int:
    """A loopback port nobody listens on (right now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps what it accepts; ``replies`` answer the next RCPTs."""

    messages: list[EmailMessage] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if self.replies:
            reply = self.replies.pop(0)
            if not reply.startswith("250"):
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted"


@contextmanager
def smtp_server(mailbox: Mailbox) -> Iterator[int]:
    """A real SMTP server on 127.0.0.1 delivering into ``mailbox``; yields its port."""
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@dataclass
class Receiver:
    """A webhook and Slack receiver that checks every signature as a real receiver would.

    ``statuses`` answer the next accepted calls (then 200). A signature seen before is a
    replay (409); a bad or stale one is 401.
    """

    secret: str = SECRET
    received: list[dict[str, Any]] = field(default_factory=list)
    slack: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    delay: float = 0.0

    def app(self) -> FastAPI:
        """The receiving app."""
        app = FastAPI()

        @app.post("/hook")
        async def hook(request: Request) -> JSONResponse:
            body = await request.body()
            stamp = request.headers.get(TIMESTAMP_HEADER)
            signature = request.headers.get(SIGNATURE_HEADER)
            if not verify_signature(self.secret, stamp, body, signature):
                self.refused.append("signature")
                return JSONResponse({"error": "bad or stale signature"}, status_code=401)
            assert signature is not None
            if signature in self.seen:
                self.refused.append("replay")
                return JSONResponse({"error": "replayed"}, status_code=409)
            if self.delay:
                await asyncio.sleep(self.delay)
            status = self.statuses.pop(0) if self.statuses else 200
            if status < 300:
                self.seen.add(signature)
                self.received.append(json.loads(body))
            return JSONResponse({"status": status}, status_code=status)

        @app.post("/slack")
        async def slack(request: Request) -> JSONResponse:
            status = self.statuses.pop(0) if self.statuses else 200
            if status < 300:
                self.slack.append(await request.json())
            return JSONResponse({"ok": status < 300}, status_code=status)

        return app


@asynccontextmanager
async def receiving(receiver: Receiver) -> AsyncIterator[str]:
    """``receiver`` served on 127.0.0.1; yields its base URL."""
    async with served(receiver.app()) as url:
        yield url


RENDERED = Rendered("Fix planned for logs", "Hello,\nlogs will be fixed\n", "<p>logs</p>")


def notification(recipient: str | None = "owner@example.com") -> Notification:
    return Notification(
        id=f"ntf-{uuid.uuid4().hex}",
        kind="fix_notice",
        subject_ref="plan-1",
        recipient=recipient,
        context={"asset": "logs", "when": "2030-01-01T00:00:00+00:00"},
        created_at=datetime.now(UTC),
    )


# --- addresses, settings, templates ---------------------------------------------------------


def test_the_owner_is_the_first_non_empty_configured_tag() -> None:
    keys = ["Owner", "owner", "Contact"]
    assert owner_from_tags({"owner": " bob@x.io ", "Contact": "c@x.io"}, keys) == "bob@x.io"
    assert owner_from_tags({"Owner": "  ", "Contact": "c@x.io"}, keys) == "c@x.io"
    assert owner_from_tags({"Team": "infra"}, keys) is None
    assert owner_from_tags({}, []) is None


def test_is_email_accepts_plain_addresses_only() -> None:
    assert is_email("alice@example.com")
    assert is_email("first.last+tag@sub.example.co.uk")
    for not_one in (
        "alice",
        "team-infra",
        "alice@localhost",
        "Alice <alice@example.com>",
        "a b@example.com",
        "alice@example.com\nBcc: eve@example.com",
        "@example.com",
        "alice@-bad.com",
        "",
    ):
        assert not is_email(not_one), not_one


def test_settings_mix_into_a_service_and_read_its_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from pydantic_settings import SettingsConfigDict

    from pacbot.common.settings import ServiceSettings

    class DemoSettings(ServiceSettings, NotifySettings):
        model_config = SettingsConfigDict(env_prefix="PACBOT_DEMO_", extra="ignore")

    secret_file = tmp_path / "webhook-secret"
    secret_file.write_text("from-a-file\n")
    monkeypatch.setenv("PACBOT_DEMO_SMTP_HOST", "mail.internal")
    monkeypatch.setenv("PACBOT_DEMO_FALLBACK_ADDRESSES", '{"111122223333": "ops@example.com"}')
    monkeypatch.setenv("PACBOT_DEMO_DEFAULT_FALLBACK_ADDRESS", "sec@example.com")
    monkeypatch.setenv("PACBOT_DEMO_WEBHOOK_URL", "https://hooks.example.com/pacbot")
    monkeypatch.setenv("PACBOT_DEMO_WEBHOOK_SECRET_FILE", str(secret_file))
    settings = DemoSettings()
    assert settings.smtp_host == "mail.internal"
    assert settings.owner_tag_keys == ["Owner", "owner", "Contact", "contact"]
    assert settings.fallback_for("111122223333") == "ops@example.com"
    assert settings.fallback_for("999999999999") == "sec@example.com"
    assert settings.resolved_webhook_secret() == "from-a-file"
    secret_file.write_text("rotated")
    assert settings.resolved_webhook_secret() == "rotated"  # read at use

    monkeypatch.delenv("PACBOT_DEMO_WEBHOOK_SECRET_FILE")
    with pytest.raises(ValidationError, match="webhook_url is set but neither webhook_secret"):
        DemoSettings()
    with pytest.raises(ValidationError, match="choose smtp_ssl"):
        NotifySettings(smtp_ssl=True, smtp_starttls=True)
    assert NotifySettings().fallback_for("any") is None
    missing = NotifySettings(smtp_password_file=str(tmp_path / "nope"))
    with pytest.raises(ValueError, match="smtp_password_file: cannot read"):
        missing.resolved_smtp_password()


def test_templates_render_subject_text_and_escaped_html(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    templates = template_package(tmp_path, monkeypatch)
    context = {"asset": "<logs>", "recipient": "bob", "note": "a & b"}
    rendered = templates.render("notice", context)
    assert rendered.subject == "Fix planned for <logs>"  # one line, not escaped
    assert rendered.text == "Hello bob,\n<logs> will be fixed: a & b\n"
    assert rendered.html == "<p>&lt;logs&gt; will be fixed: <b>a &amp; b</b></p>"
    assert templates.render("plain", {"n": 3}) == Rendered("Plain 3", "n=3\n", None)
    with pytest.raises(TemplateError, match=r"'notice\.subject\.txt'.*'asset' is undefined"):
        templates.render("notice", {"recipient": "bob", "note": "x"})
    with pytest.raises(TemplateError, match=r"no template 'broken\.subject\.txt' in notify_"):
        templates.render("broken", {})


# --- email -----------------------------------------------------------------------------------


async def test_email_is_multipart_text_and_html_with_headers() -> None:
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        channel = EmailChannel(SmtpConfig("127.0.0.1", port, sender="pacbot@corp.example"))
        sent = notification()
        await channel.send(RENDERED, sent)
    [message] = mailbox.messages
    assert message["From"] == "pacbot@corp.example"
    assert message["To"] == "owner@example.com"
    assert message["Subject"] == "Fix planned for logs"
    assert message["Message-ID"] == f"<{sent.id}@corp.example>"
    assert message["X-PacBot-Kind"] == "fix_notice"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert isinstance(text, EmailMessage)
    assert isinstance(html, EmailMessage)
    assert text.get_content().replace("\r\n", "\n") == "Hello,\nlogs will be fixed\n"
    assert html.get_content().strip() == "<p>logs</p>"


async def test_smtp_5xx_is_permanent_and_4xx_or_no_server_retries() -> None:
    mailbox = Mailbox(replies=["550 5.1.1 no such user", "451 4.7.1 greylisted, try later"])
    with smtp_server(mailbox) as port:
        channel = EmailChannel(SmtpConfig("127.0.0.1", port))
        with pytest.raises(Permanent, match=r"refused the recipient: 550 5\.1\.1 no such user"):
            await channel.send(RENDERED, notification())
        with pytest.raises(Retryable, match="deferred the recipient: 451"):
            await channel.send(RENDERED, notification())
        await channel.send(RENDERED, notification())
    assert len(mailbox.messages) == 1
    nobody = EmailChannel(SmtpConfig("127.0.0.1", free_port(), timeout=2))
    with pytest.raises(Retryable, match=r"cannot reach 127\.0\.0\.1"):
        await nobody.send(RENDERED, notification())


# --- webhook and Slack -----------------------------------------------------------------------


def test_a_signature_is_refused_when_forged_tampered_or_stale() -> None:
    body = b'{"id":"ntf-1"}'
    now = time.time()
    good = sign(SECRET, int(now), body)
    assert verify_signature(SECRET, str(int(now)), body, good)
    assert verify_signature(SECRET, int(now), body, f"v1=deadbeef, {good}")  # rotation
    assert not verify_signature(SECRET, int(now), body + b" ", good)
    assert not verify_signature("another-secret", int(now), body, good)
    assert not verify_signature(SECRET, int(now), body, good.replace("v1=", "v0="))
    assert not verify_signature(SECRET, int(now), body, None)
    assert not verify_signature(SECRET, "yesterday", body, good)
    assert not verify_signature(SECRET, int(now), body, good, now=now + 301)  # stale
    assert not verify_signature(SECRET, int(now), body, good, now=now - 301)  # from the future
    assert verify_signature(SECRET, int(now), body, good, now=now + 299)


async def test_the_webhook_is_signed_and_the_receiver_refuses_replays() -> None:
    receiver = Receiver()
    async with receiving(receiver) as url, httpx.AsyncClient(timeout=5) as http:
        sent = notification()
        await WebhookChannel(f"{url}/hook", SECRET, http).send(RENDERED, sent)
        [payload] = receiver.received
        assert set(payload) == {
            "id",
            "kind",
            "subject_ref",
            "recipient",
            "subject",
            "text",
            "context",
            "sent_at",
        }
        assert payload["id"] == sent.id
        assert payload["recipient"] == "owner@example.com"
        assert payload["subject"] == RENDERED.subject
        assert payload["context"] == {"asset": "logs", "when": "2030-01-01T00:00:00+00:00"}

        body = json.dumps(payload).encode()
        stamp = int(time.time())
        headers = {TIMESTAMP_HEADER: str(stamp), SIGNATURE_HEADER: sign(SECRET, stamp, body)}
        first = await http.post(f"{url}/hook", content=body, headers=headers)
        assert first.status_code == 200
        replayed = await http.post(f"{url}/hook", content=body, headers=headers)
        assert replayed.status_code == 409
        old = stamp - 3600
        stale = {TIMESTAMP_HEADER: str(old), SIGNATURE_HEADER: sign(SECRET, old, body)}
        assert (await http.post(f"{url}/hook", content=body, headers=stale)).status_code == 401
        forged = {**headers, SIGNATURE_HEADER: sign("guess", stamp, body)}
        assert (await http.post(f"{url}/hook", content=body, headers=forged)).status_code == 401
        assert receiver.refused == ["replay", "signature", "signature"]

        with pytest.raises(Permanent, match="answered 401"):
            await WebhookChannel(f"{url}/hook", "wrong-secret", http).send(RENDERED, sent)


async def test_webhook_and_slack_retry_on_408_429_5xx_and_transport_errors() -> None:
    receiver = Receiver(statuses=[503, 429, 408, 404])
    async with receiving(receiver) as url, httpx.AsyncClient(timeout=5) as http:
        webhook = WebhookChannel(f"{url}/hook", SECRET, http)
        for status in (503, 429, 408):
            with pytest.raises(Retryable, match=f"answered {status}"):
                await webhook.send(RENDERED, notification())
        with pytest.raises(Permanent, match="answered 404"):
            await webhook.send(RENDERED, notification())
        assert receiver.received == []

        receiver.statuses = [500, 400]
        slack = SlackChannel(f"{url}/slack", http)
        with pytest.raises(Retryable, match="slack: the receiver answered 500"):
            await slack.send(RENDERED, notification())
        with pytest.raises(Permanent, match="answered 400"):
            await slack.send(RENDERED, notification())
        await slack.send(Rendered("S3 <bucket> & co", "body", None), notification("UABCDEF123"))
        [message] = receiver.slack
        assert message == {"text": "*S3 &lt;bucket&gt; &amp; co*\nFor <@UABCDEF123>\n\nbody"}
    gone = WebhookChannel(f"http://127.0.0.1:{free_port()}/hook", SECRET, httpx.AsyncClient())
    with pytest.raises(Retryable, match="webhook: cannot reach the receiver"):
        await gone.send(RENDERED, notification())
    await gone.http.aclose()
