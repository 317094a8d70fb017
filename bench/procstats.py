"""CPU time and peak memory of a process, read from ``/proc`` (Linux).

CPU is user + system time of every thread of the process (``/proc/<pid>/stat`` fields 14 and
15, in clock ticks), so it counts what the process itself spent, whatever else the machine runs;
peak memory is the resident high-water mark (``VmHWM`` in ``/proc/<pid>/status``).
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    """The fields of ``/proc/<pid>/stat`` from the third on (state, ppid, ...)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    # the command name (field 2) is in parentheses and may hold spaces: split after it
    return stat[stat.rindex(")") + 2 :].split()


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used so far."""
    fields = _stat_fields(pid)
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of the whole line
    return (utime + stime) / TICKS


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set size (VmHWM) in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            kib = int(line.split()[1])
            return kib / 1024
    raise RuntimeError(f"/proc/{pid}/status has no VmHWM line")


def _children(pid: int) -> list[int]:
    """Live child processes of ``pid`` (from each thread's ``children`` list)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(child) for child in text]
    return found


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of ``pid``, of its children that exited (``cutime + cstime``) and of every
    live descendant: a PostgreSQL server's backends, say, which come and go."""
    fields = _stat_fields(pid)
    total = sum(int(f) for f in fields[11:15]) / TICKS  # utime, stime, cutime, cstime
    for child in _children(pid):
        try:
            total += tree_cpu_seconds(child)
        except (FileNotFoundError, ProcessLookupError):  # exited meanwhile: now in cutime
            continue
    return total


@dataclass
class CpuWindow:
    """The CPU a process uses between ``start`` and ``stop``; with ``tree``, the CPU of its
    whole process tree (a server and its workers)."""

    pid: int
    tree: bool = False
    started: float = 0.0
    used: float = 0.0

    def _now(self) -> float:
        return tree_cpu_seconds(self.pid) if self.tree else cpu_seconds(self.pid)

    def start(self) -> None:
        """Note the CPU used so far."""
        self.started = self._now()

    def stop(self) -> float:
        """CPU seconds used since ``start``."""
        self.used = self._now() - self.started
        return self.used


def exit_on_sigterm() -> None:
    """Turn SIGTERM (``timeout``, a CI runner) into SystemExit, so the bench's ``finally`` blocks
    run and stop the services it started instead of leaving them consuming the shared topics."""

    def _exit(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _exit)
