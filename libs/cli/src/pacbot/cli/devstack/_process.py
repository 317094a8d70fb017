"""Process helpers for the dev stack: detached spawn, pid files, port probes, log tails."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path


class DevStackError(RuntimeError):
    """A dev-stack component could not be prepared, started or stopped."""


def log_tail(path: Path, lines: int = 60) -> str:
    """Return the last lines of a log file, or a note that it is missing."""
    try:
        data = path.read_bytes()[-16384:].decode("utf-8", "replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(data.splitlines()[-lines:])


def fail(message: str, log: Path | None) -> DevStackError:
    """Build an error whose text ends with the tail of the given log."""
    if log is None:
        return DevStackError(message)
    return DevStackError(f"{message}\n--- tail of {log} ---\n{log_tail(log)}")


def _reap(pid: int) -> None:
    """Collect a zombie child of this process, if it is one."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def is_alive(pid: int | None, marker: str = "") -> bool:
    """Tell whether pid runs (not a zombie) and its command line contains marker."""
    if not pid or pid <= 0:
        return False
    _reap(pid)
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    if stat.rsplit(")", 1)[-1].split()[0] in ("Z", "X"):
        return False
    return marker.encode() in cmdline


def read_pid(path: Path) -> int | None:
    """Read the first line of a pid file as an int."""
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def write_pid(path: Path, pid: int) -> None:
    """Write a pid file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{pid}\n")


def port_open(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    """Tell whether something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def spawn(
    argv: Sequence[str],
    log: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> int:
    """Start a detached process (own session) whose output goes to log; return its pid."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
            close_fds=True,
        )
    return proc.pid


def run(
    argv: Sequence[str],
    log: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 900,
) -> None:
    """Run a command to completion, appending output to log; raise with the log tail on failure."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        out.write(f"$ {' '.join(argv)}\n".encode())
        out.flush()
        try:
            code = subprocess.run(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=dict(env) if env is not None else None,
                cwd=cwd,
                timeout=timeout,
                check=False,
            ).returncode
        except subprocess.TimeoutExpired:
            code = -1
        except FileNotFoundError as exc:
            raise DevStackError(f"command not found: {argv[0]} ({exc})") from exc
    if code != 0:
        raise fail(f"command failed (exit {code}): {' '.join(argv)}", log)


def stop_pid(pid: int | None, marker: str, sig: int = signal.SIGTERM, timeout: float = 60) -> None:
    """Signal a process, wait for it to exit, and SIGKILL it after timeout."""
    if not is_alive(pid, marker):
        return
    assert pid is not None
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_alive(pid, marker):
            return
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    while is_alive(pid, marker) and time.monotonic() < deadline + 10:
        time.sleep(0.1)


def as_user(user: str, argv: Sequence[str]) -> list[str]:
    """Prefix argv with runuser when running as root, so it runs as user."""
    if os.geteuid() != 0:
        return list(argv)
    return ["runuser", "-u", user, "--", *argv]


def chown_tree(path: Path, user: str) -> None:
    """Give a directory tree to user (no-op when not root)."""
    if os.geteuid() != 0:
        return
    import pwd

    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            os.lchown(os.path.join(root, name), entry.pw_uid, entry.pw_gid)
