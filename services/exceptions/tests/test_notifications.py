"""Notifications of the exception workflow, delivered to a real SMTP server and a real webhook
receiver on 127.0.0.1: enqueued with the step (a refused step tells nobody), sent in the
background, and listed by ``GET /notifications`` for the security team and peer services."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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

from pacbot.common.bus import MemoryBus
from pacbot.common.notify import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature
from pacbot.common.testing import as_user, check_cursor_paging, eventually, served
from services.exceptions.tests.conftest import Transports, running, settings_for
from services.exceptions.tests.kit import ALICE, BOB, CAROL, in_days, resource_body
from services.exceptions.tests.test_expiry import loop_of

pytestmark = pytest.mark.asyncio(loop_scope="module")

SECURITY_TEAM = "security-team@example.com"
SECRET = "exceptions-webhook-secret-for-tests"


@dataclass
class Mailbox:
    """An aiosmtpd handler keeping every message it accepts."""

    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@contextmanager
def smtp_server(mailbox: Mailbox) -> Iterator[int]:
    """A real SMTP server on 127.0.0.1; yields its port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def subject_of(message: EmailMessage) -> str:
    """The subject, unfolded (a long one is folded onto its own line, RFC 5322)."""
    return str(message["Subject"]).strip()


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert isinstance(body, EmailMessage)
    return str(body.get_content()).replace("\r\n", "\n")


async def notifications(client: httpx.AsyncClient, exception_id: str) -> list[dict[str, Any]]:
    response = await client.get("/notifications", params={"subject_ref": exception_id})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def settled(client: httpx.AsyncClient, exception_id: str, count: int) -> list[dict[str, Any]]:
    """The exception's notifications once ``count`` exist and none is pending any more."""

    async def probe() -> list[dict[str, Any]]:
        items = await notifications(client, exception_id)
        done = len(items) == count and all(i["status"] != "pending" for i in items)
        return items if done else []

    return await eventually(probe, timeout=10, interval=0.05, what=f"{exception_id} notified")


async def requested(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> str:
    response = await client.post("/exceptions", json=resource_body(**body), headers=headers)
    assert response.status_code == 201, response.text
    exception_id: str = response.json()["exception_id"]
    return exception_id


async def test_each_step_tells_its_people_by_email(
    tmp_path: Path, bus: MemoryBus, peers: Transports
) -> None:
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        settings = settings_for(
            tmp_path,
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_from="pacbot@corp.example",
            approvers_address=SECURITY_TEAM,
            notify_poll_seconds=0.05,
        )
        async with running(settings, bus, peers) as (app, client):
            granted = await requested(client, ALICE, expires_at=in_days(2))
            [asked] = await settled(client, granted, 1)
            assert (asked["kind"], asked["recipient"], asked["status"]) == (
                "exception_requested",
                SECURITY_TEAM,
                "delivered",
            )
            [mail] = mailbox.to(SECURITY_TEAM)
            assert subject_of(mail) == (
                f"[PacBot] Exception {granted} awaits approval (alice@example.com)"
            )
            assert mail["From"] == "pacbot@corp.example"
            assert "Reason:   static website, public on purpose" in text_of(mail)
            html = mail.get_body(("html",))
            assert isinstance(html, EmailMessage)
            assert "<b>alice@example.com</b>" in str(html.get_content())

            own = await client.post(f"/exceptions/{granted}/approve", headers=ALICE)
            assert own.status_code == 403  # a refused step enqueues nothing
            approve = await client.post(
                f"/exceptions/{granted}/approve", json={"comment": "ok <for now>"}, headers=BOB
            )
            assert approve.status_code == 200
            told = await settled(client, granted, 2)
            assert [n["kind"] for n in told] == ["exception_granted", "exception_requested"]
            assert told[0]["recipient"] == "alice@example.com"
            assert told[0]["deliveries"][0]["channel"] == "email"
            assert told[0]["deliveries"][0]["attempts"] == 1
            [approved] = mailbox.to("alice@example.com")
            assert (
                subject_of(approved) == f"[PacBot] Exception {granted} approved by bob@example.com"
            )
            assert "Comment:  ok <for now>" in text_of(approved)

            rejected = await requested(client, ALICE)
            reject = await client.post(
                f"/exceptions/{rejected}/reject", json={"reason": "fix the bucket"}, headers=BOB
            )
            assert reject.status_code == 200
            newest = (await settled(client, rejected, 2))[0]
            assert newest["kind"] == "exception_rejected"
            assert "Why:      fix the bucket" in text_of(mailbox.to("alice@example.com")[-1])

            assert await (await loop_of(app)).run_once() == (1, 0)
            soon = await settled(client, granted, 3)
            assert (soon[0]["kind"], soon[0]["recipient"]) == (
                "exception_expiring_soon",
                "alice@example.com",
            )
            assert subject_of(mailbox.to("alice@example.com")[-1]).startswith(
                f"[PacBot] Exception {granted} expires "
            )
            assert len(mailbox.messages) == 5  # two requests, granted, rejected, expiring_soon


async def test_who_may_list_notifications_and_the_paging(
    tmp_path: Path, bus: MemoryBus, peers: Transports
) -> None:
    async with running(settings_for(tmp_path), bus, peers) as (_, client):
        made = [await requested(client, ALICE, reason=f"reason {n}") for n in range(3)]
        for headers, status in (
            (CAROL, 403),
            (as_user("olive@example.com", "owner"), 403),
            (as_user("service:autofix", "service"), 200),
            (ALICE, 200),
            (as_user("root@example.com", "admin"), 200),
        ):
            response = await client.get("/notifications", headers=headers)
            assert response.status_code == status, (headers, response.text)
        refused = await client.get("/notifications", headers=CAROL)
        assert "this call needs one of ['admin', 'security', 'service']" in refused.text

        listed = (await client.get("/notifications")).json()["items"]
        assert [n["subject_ref"] for n in listed] == made[::-1]  # newest first
        await check_cursor_paging(
            client,
            "/notifications",
            expected=[n["id"] for n in listed],
            changed={"subject_ref": made[0]},
        )
        too_long = await client.get("/notifications", params={"subject_ref": "x" * 501})
        assert too_long.status_code == 422


async def test_no_recipient_is_undeliverable_and_a_non_email_requester_hears_nothing(
    tmp_path: Path, bus: MemoryBus, peers: Transports
) -> None:
    settings = settings_for(tmp_path, smtp_host="127.0.0.1", notify_poll_seconds=0.05)
    async with running(settings, bus, peers) as (_, client):
        robot = as_user("ci-pipeline", "security")
        exception_id = await requested(client, robot)
        [asked] = await settled(client, exception_id, 1)
        assert (asked["status"], asked["recipient"], asked["deliveries"]) == (
            "undeliverable",
            None,
            [],
        )
        assert asked["detail"].startswith("no recipient")
        approve = await client.post(f"/exceptions/{exception_id}/approve", headers=BOB)
        assert approve.status_code == 200
        assert [n["kind"] for n in await notifications(client, exception_id)] == [
            "exception_requested"
        ]


@dataclass
class Receiver:
    """A webhook receiver that accepts only correctly signed, fresh calls."""

    received: list[dict[str, Any]] = field(default_factory=list)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/hook")
        async def hook(request: Request) -> JSONResponse:
            body = await request.body()
            stamp = request.headers.get(TIMESTAMP_HEADER)
            if not verify_signature(SECRET, stamp, body, request.headers.get(SIGNATURE_HEADER)):
                return JSONResponse({"error": "bad signature"}, status_code=401)
            self.received.append(json.loads(body))
            return JSONResponse({"ok": True})

        return app


async def test_a_signed_webhook_routes_by_recipient(
    tmp_path: Path, bus: MemoryBus, peers: Transports
) -> None:
    receiver = Receiver()
    async with served(receiver.app()) as url:
        settings = settings_for(
            tmp_path,
            webhook_url=f"{url}/hook",
            webhook_secret=SECRET,
            approvers_address="#security-approvals",
            notify_poll_seconds=0.05,
        )
        async with running(settings, bus, peers) as (_, client):
            exception_id = await requested(client, ALICE)
            [asked] = await settled(client, exception_id, 1)
            assert asked["status"] == "delivered"
            assert asked["detail"] == "delivered by webhook for #security-approvals"
            [payload] = receiver.received
            assert payload["id"] == asked["id"]
            assert payload["recipient"] == "#security-approvals"
            assert payload["kind"] == "exception_requested"
            assert payload["context"]["exception_id"] == exception_id
            assert payload["context"]["requester"] == "alice@example.com"
