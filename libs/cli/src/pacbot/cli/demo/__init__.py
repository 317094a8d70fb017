"""``pacbot demo``: a simulated AWS estate, assessed, reported, remediated, and a dashboard.

The demo seeds a moto server (a process of its own) with two accounts in two regions, runs the six
services embedded in this process, onboards both accounts through their roles, discovers and
assesses everything, lets an owner's exception be granted, runs AutoFix (in dry run unless asked
to apply) with a real SMTP server as the owners' mailbox, prints the report read through the
gateway API, and serves the dashboard on 127.0.0.1 with a sign-in link until Ctrl-C.

Names are imported on first use, so ``pacbot demo`` can start moto before it imports PacBot.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pacbot.cli.demo.cli import DemoOptions, main
    from pacbot.cli.demo.mail import Email, SmtpSink, smtp_sink
    from pacbot.cli.demo.moto import MOTO_ACCOUNT, moto_process, moto_server
    from pacbot.cli.demo.run import run_demo

_HOMES = {
    "DemoOptions": "cli",
    "main": "cli",
    "Email": "mail",
    "SmtpSink": "mail",
    "smtp_sink": "mail",
    "MOTO_ACCOUNT": "moto",
    "moto_process": "moto",
    "moto_server": "moto",
    "run_demo": "run",
}

__all__ = [
    "MOTO_ACCOUNT",
    "DemoOptions",
    "Email",
    "SmtpSink",
    "main",
    "moto_process",
    "moto_server",
    "run_demo",
    "smtp_sink",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
