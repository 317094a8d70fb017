"""What reaches the terminal: the demo's own lines and progress bars, nothing from libraries.

moto prints straight to stdout ("Unable to find appropriate backend..."), the services log
warnings, libraries raise ``warnings``; while the demo runs, ``sys.stdout``, ``sys.stderr``, the
root logger and ``warnings`` all point at a log file, and the demo writes to the terminal through
a console bound to the real stdout it kept.
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)


@dataclass
class Terminal:
    """The demo's voice: ``say`` a line, run ``progress`` bars; silent when ``quiet`` (JSON)."""

    console: Console
    quiet: bool = False

    def say(self, text: str = "") -> None:
        """One line (rich markup allowed) unless quiet."""
        if not self.quiet:
            self.console.print(text, highlight=False, soft_wrap=True)

    def progress(self) -> Progress:
        """Progress bars on the terminal (drawn once at the end when it is not a TTY)."""
        return Progress(
            TextColumn("{task.description:<13}"),
            BarColumn(bar_width=24),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[detail]}"),
            console=self.console,
            disable=self.quiet,
            redirect_stdout=False,
            redirect_stderr=False,
        )


@contextmanager
def library_output_to(log_path: Path) -> Iterator[TextIO]:
    """Send everything libraries write to ``log_path``; yield the real stdout for the demo.

    The demo's own ``pacbot.demo`` logger writes timestamped lines to the same file (the
    services replace the root logger's handler when they start).
    """
    real_stdout, real_stderr = sys.stdout, sys.stderr
    root, demo = logging.getLogger(), logging.getLogger("pacbot.demo")
    saved = root.handlers[:], root.level, demo.handlers[:], demo.level, demo.propagate
    with log_path.open("a", encoding="utf-8", buffering=1) as log:
        handler = logging.StreamHandler(log)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.handlers = [handler]
        demo.handlers, demo.propagate = [handler], False
        demo.setLevel(logging.INFO)
        logging.captureWarnings(True)
        sys.stdout = sys.stderr = log
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("default")
                yield real_stdout
        finally:
            sys.stdout, sys.stderr = real_stdout, real_stderr
            logging.captureWarnings(False)
            root.handlers, root.level, demo.handlers, demo.level, demo.propagate = saved
