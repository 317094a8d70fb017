"""CPU time and peak memory of a process, read from ``/proc`` (Linux).

CPU is user + system time of every thread of the process (``/proc/<pid>/stat`` fields 14 and
15, in clock ticks), so it counts what the process itself spent, whatever else the machine runs;
peak memory is the resident high-water mark (``VmHWM`` in ``/proc/<pid>/status``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used so far."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    # the command name (field 2) is in parentheses and may hold spaces: split after it
    fields = stat[stat.rindex(")") + 2 :].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of the whole line
    return (utime + stime) / TICKS


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set size (VmHWM) in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            kib = int(line.split()[1])
            return kib / 1024
    raise RuntimeError(f"/proc/{pid}/status has no VmHWM line")


@dataclass
class CpuWindow:
    """The CPU a process uses between ``start`` and ``stop``."""

    pid: int
    started: float = 0.0
    used: float = 0.0

    def start(self) -> None:
        """Note the CPU used so far."""
        self.started = cpu_seconds(self.pid)

    def stop(self) -> float:
        """CPU seconds used since ``start``."""
        self.used = cpu_seconds(self.pid) - self.started
        return self.used
