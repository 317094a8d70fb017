"""``pacbot demo``: run the demo, print its report, serve the dashboard until Ctrl-C."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import signal
import tempfile
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

from rich.console import Console

from pacbot.cli.demo.moto import moto_process
from pacbot.cli.demo.output import Terminal, library_output_to

if TYPE_CHECKING:  # imported once moto is starting: PacBot takes seconds to import
    from pacbot.cli.embedded import EmbeddedPacBot

INTERRUPTED = 130
log = logging.getLogger("pacbot.demo")


@dataclass(frozen=True)
class DemoOptions:
    """What ``pacbot demo`` was asked to do."""

    endpoint_url: str | None = None
    data_dir: Path | None = None
    grace_seconds: float = 3.0
    apply_fixes: bool = False
    serve: bool = True
    port: int | None = None
    as_json: bool = False


class Stopped(Exception):
    """SIGINT or SIGTERM arrived outside the event loop."""


def _stop(signum: int, frame: FrameType | None) -> None:
    raise Stopped(signal.Signals(signum).name)


def main(options: DemoOptions) -> int:
    """Run the demo; 0 when it ran (and, serving, was stopped), 1 when it failed, 130 when
    interrupted before the dashboard was up. Library output goes to a log file."""
    directory = options.data_dir or Path(tempfile.mkdtemp(prefix="pacbot-demo-"))
    directory.mkdir(parents=True, exist_ok=True)
    log_path = directory / "demo.log"
    # moto accepts any credentials; never pick up a person's real ones for the simulation.
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 - moto accepts any credentials
        AWS_DEFAULT_REGION="us-east-1",
    )
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)
    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    code = 1
    try:
        with library_output_to(log_path) as stdout:
            # A pipe or a file gets lines as wide as a roomy terminal, not rich's 80 columns.
            width = None if stdout.isatty() else 120
            console = Console(file=stdout, highlight=False, width=width)
            terminal = Terminal(console, quiet=options.as_json)
            log.info("started")
            try:
                code = _run(options, directory, log_path, terminal, stdout)
            except (Stopped, KeyboardInterrupt, asyncio.CancelledError):
                terminal.say("\nInterrupted: everything the demo started was stopped.")
                code = INTERRUPTED
            except Exception as exc:
                print(traceback.format_exc())  # into the log
                console.print(f"[red]The demo failed:[/red] {exc}", highlight=False)
                console.print(f"Library output and the traceback are in {log_path}")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if options.data_dir is None and code != 1:
            shutil.rmtree(directory, ignore_errors=True)
    return code


def _run(
    options: DemoOptions, directory: Path, log_path: Path, terminal: Terminal, stdout: TextIO
) -> int:
    def demo(url: str) -> int:
        return asyncio.run(_demo(options, url, directory, log_path, terminal, stdout))

    if options.endpoint_url:
        code = demo(options.endpoint_url)
    else:
        with log_path.open("a", encoding="utf-8") as moto_log, moto_process(moto_log) as url:
            code = demo(url)
            log.info("the event loop has ended; stopping moto")
        log.info("moto stopped")
    if options.serve:
        terminal.say("\nStopped: the dashboard, PacBot and moto are shut down.")
    return code


async def _demo(
    options: DemoOptions,
    endpoint_url: str,
    directory: Path,
    log_path: Path,
    terminal: Terminal,
    stdout: TextIO,
) -> int:
    from pacbot.cli.demo.run import run_demo
    from pacbot.cli.demo.serve import listen, login_link, serving

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    work = asyncio.current_task()
    serving_now = False

    def on_signal() -> None:
        if serving_now:
            stop.set()
        elif work is not None:
            work.cancel()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal)
    kept = "kept" if options.data_dir else "removed on exit; --data-dir keeps it"

    async def after(pacbot: EmbeddedPacBot, token: str, report: dict[str, Any]) -> None:
        nonlocal serving_now
        report["log"] = str(log_path)
        if not options.serve:
            _show(report, terminal, stdout, options.as_json)
            terminal.say(f"\nLibrary output went to {log_path} ({kept}).")
            return
        sock = listen(options.port)
        async with serving(pacbot.apps["gateway"], sock) as url:
            report["dashboard"] = {"url": url, "login": login_link(url, token)}
            _show(report, terminal, stdout, options.as_json)
            terminal.say(f"\n[bold]Dashboard[/bold]  {url}/")
            terminal.say(f"[bold]Sign in[/bold]    {login_link(url, token)}")
            terminal.say(f"Library output goes to {log_path} ({kept}).")
            terminal.say("Press Ctrl-C to stop.")
            serving_now = True
            await stop.wait()
            log.info("stop requested; stopping the dashboard server")
        log.info("dashboard server stopped; stopping PacBot")

    terminal.say(
        "[bold]PacBot demo[/bold]: a simulated AWS estate (moto), assessed, reported and "
        + ("remediated" if options.apply_fixes else "remediated in dry run")
    )
    await run_demo(
        endpoint_url,
        directory,
        options.grace_seconds,
        apply_fixes=options.apply_fixes,
        terminal=terminal,
        after=after,
    )
    log.info("PacBot stopped")
    return 0


def _show(report: dict[str, Any], terminal: Terminal, stdout: TextIO, as_json: bool) -> None:
    from pacbot.cli.demo.report import render

    if as_json:
        stdout.write(json.dumps(report, indent=2) + "\n")
        stdout.flush()
    else:
        render(report, terminal)
