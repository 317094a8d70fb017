"""The Dockerfile, read statically (no Docker engine here): stages, user, health check, context.

Its HEALTHCHECK command is also run for real, against a small HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from pacbot.common.runtime import DEFAULT_PORTS

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
COMPOSE = ROOT / "docker-compose.yml"
UID = 10001


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def _logical_lines(text: str) -> Iterator[str]:
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):  # a comment inside a continued instruction
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        yield current + line
        current = ""
    assert not current, "the Dockerfile ends inside a continued line"


@cache
def stages() -> tuple[Stage, ...]:
    args: dict[str, str] = {}
    found: list[Stage] = []
    for line in _logical_lines(DOCKERFILE.read_text()):
        keyword, _, rest = line.partition(" ")
        keyword, rest = keyword.upper(), rest.strip()
        if keyword == "ARG" and not found:
            name, _, default = rest.partition("=")
            args[name] = default
        elif keyword == "FROM":
            words = rest.split()
            base = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], words[0])
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            found.append(Stage(base=base, name=name))
        else:
            found[-1].instructions.append((keyword, rest))
    return tuple(found)


def final() -> Stage:
    return stages()[-1]


def build() -> Stage:
    (stage,) = [s for s in stages() if s.name == "build"]
    return stage


def exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list), args
    assert all(isinstance(v, str) for v in value), args
    return value


def env_of(stage: Stage) -> dict[str, str]:
    env = {}
    for args in stage.all("ENV"):
        for pair in shlex.split(args):
            name, _, value = pair.partition("=")
            env[name] = value
    return env


# --- Stages ----------------------------------------------------------------------------------


def test_a_build_stage_and_a_slim_runtime_stage() -> None:
    assert len(stages()) >= 2
    assert re.fullmatch(r"python:3\.11(\.\d+)?-slim(-\w+)?", final().base), final().base
    assert final().base == build().base, "the venv links to the build stage's interpreter"
    uv = [s for s in stages() if s.name == "uv"]
    assert uv, "uv comes from its own pinned image"
    assert re.fullmatch(r"ghcr\.io/astral-sh/uv:\d+\.\d+\.\d+", uv[0].base), uv[0].base


def test_the_build_stage_syncs_the_locked_workspace_dependencies_first() -> None:
    steps = build().instructions
    syncs = [i for i, (kw, args) in enumerate(steps) if kw == "RUN" and "uv sync" in args]
    assert len(syncs) == 2
    for i in syncs:
        run = steps[i][1]
        for flag in ("--frozen", "--all-packages", "--no-dev", "--mount=type=cache"):
            assert flag in run, (flag, run)
    assert "--no-install-workspace" in steps[syncs[0]][1]
    assert "--no-editable" in steps[syncs[1]][1], "members installed into the venv, not linked"
    copied = [(i, args.split()) for i, (kw, args) in enumerate(steps) if kw == "COPY"]
    before = {w for i, words in copied if i < syncs[0] for w in words[:-1]}
    between = {w for i, words in copied if syncs[0] < i < syncs[1] for w in words[:-1]}
    assert {"pyproject.toml", "uv.lock"} <= before
    for member in workspace_members():
        assert f"{member}/pyproject.toml" in before, member
        assert f"{member}/src" in between, member


def workspace_members() -> list[str]:
    root = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = root["tool"]["uv"]["workspace"]["members"]
    found = sorted(
        str(p.parent.relative_to(ROOT)) for g in globs for p in ROOT.glob(f"{g}/pyproject.toml")
    )
    assert len(found) == 8, found
    return found


# --- The runtime stage ---------------------------------------------------------------------------


def test_the_runtime_runs_as_a_fixed_non_root_uid() -> None:
    (user,) = final().all("USER")
    uid, _, gid = user.partition(":")
    assert uid == str(UID), user
    assert gid in ("", str(UID)), user
    compose = yaml.safe_load(COMPOSE.read_text())
    assert compose["x-pacbot"]["user"] == user


BUILD_TOOLS = re.compile(
    r"\b(uv|uvx|pip3?\s+install|python3?\s+-m\s+pip\s+install|apt-get|apt|apk|gcc|g\+\+|make|"
    r"build-essential|curl|wget)\b"
)


def test_the_runtime_has_no_build_tools() -> None:
    for run in final().all("RUN"):
        assert not BUILD_TOOLS.search(run), run
        assert "site-packages/pip" in run, "the one RUN removes pip"
    copies = final().all("COPY")
    assert copies == ["--from=build /app/.venv /app/.venv"], "only the venv"


def test_the_runtime_writes_only_to_tmp() -> None:
    env = env_of(final())
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert env["HOME"] == "/tmp"
    assert env["XDG_CACHE_HOME"].startswith("/tmp/")
    assert env["PATH"].startswith("/app/.venv/bin:")
    assert final().all("WORKDIR") == ["/tmp"]
    assert "UV_COMPILE_BYTECODE=1" in " ".join(build().all("ENV")), "bytecode made at build"


def test_the_default_command_is_the_gateway() -> None:
    (cmd,) = final().all("CMD")
    assert exec_form(cmd) == ["pacbot-gateway"]
    assert env_of(final())["PACBOT_HEALTHCHECK_PORT"] == str(DEFAULT_PORTS["gateway"])


# --- Health check ------------------------------------------------------------------------------


def healthcheck() -> list[str]:
    (check,) = final().all("HEALTHCHECK")
    options, _, command = check.partition("CMD ")
    assert "--interval=" in options
    assert "--timeout=" in options
    argv = exec_form(command)
    assert argv[0] == "python", argv
    assert "/healthz" in argv[-1], argv
    return argv


class _Probe(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}')

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def server(status: int) -> Iterator[int]:
    handler = type("Probe", (_Probe,), {"status": status})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


def probe(port: int) -> int:
    argv = [sys.executable, *healthcheck()[1:]]
    env = {"PACBOT_HEALTHCHECK_PORT": str(port), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(argv, env=env, capture_output=True, timeout=30).returncode


@pytest.mark.parametrize(("status", "healthy"), [(200, True), (503, False)])
def test_the_health_check_reads_healthz_on_the_configured_port(status: int, healthy: bool) -> None:
    with server(status) as port:
        assert (probe(port) == 0) is healthy


def test_the_health_check_fails_when_nothing_listens() -> None:
    with server(200) as port:
        pass
    assert probe(port) != 0


# --- Commands ---------------------------------------------------------------------------------


@cache
def console_scripts() -> frozenset[str]:
    names = set()
    for pyproject in ROOT.glob("*/*/pyproject.toml"):
        names |= set(tomllib.loads(pyproject.read_text()).get("project", {}).get("scripts", {}))
    return frozenset(names)


def compose_commands() -> set[str]:
    found = set()
    for service in yaml.safe_load(COMPOSE.read_text())["services"].values():
        command = service.get("command")
        if isinstance(command, str):
            found.add(command.split()[0])
        elif command and command[0] == "sh":
            found |= {step.split()[0] for step in command[-1].split(";")}
        elif command:
            found.add(command[0])
    return found


def test_every_command_compose_and_the_image_run_is_a_console_script() -> None:
    assert {f"pacbot-{s}" for s in DEFAULT_PORTS} | {"pacbot"} <= console_scripts()
    commands = compose_commands() | {exec_form(c)[0] for c in final().all("CMD")}
    assert commands == {f"pacbot-{s}" for s in DEFAULT_PORTS} | {"pacbot"}
    assert commands <= console_scripts()


def helm_commands() -> set[str]:
    from tests.deploy.helm_rig import rendered

    found = set()
    for manifest in rendered():
        spec = manifest.get("spec", {})
        pod = spec.get("template", {}).get("spec") or spec.get("jobTemplate", {}).get(
            "spec", {}
        ).get("template", {}).get("spec", {})
        for container in [*pod.get("initContainers", []), *pod.get("containers", [])]:
            if container.get("command"):
                found.add(container["command"][0])
    return found


def test_every_command_the_chart_runs_is_a_console_script() -> None:
    commands = helm_commands()
    assert {f"pacbot-{s}" for s in DEFAULT_PORTS} <= commands
    assert commands <= console_scripts()


# --- Build context ----------------------------------------------------------------------------


def ignored(path: str) -> bool:
    """Whether the build context leaves ``path`` out (.dockerignore: last matching rule wins)."""
    excluded = False
    for raw in DOCKERIGNORE.read_text().splitlines():
        rule = raw.strip()
        if not rule or rule.startswith("#"):
            continue
        negate = rule.startswith("!")
        pattern = rule.lstrip("!").strip("/")
        if _matches(pattern, path):
            excluded = not negate
    return excluded


def _matches(pattern: str, path: str) -> bool:
    """The path itself or a folder above it matches (``*`` stays within one name)."""
    regex = _regex(pattern)
    parts = path.split("/")
    return any(re.fullmatch(regex, "/".join(parts[:i])) for i in range(1, len(parts) + 1))


def _regex(pattern: str) -> str:
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] in "*?":
            out.append("[^/]*" if pattern[i] == "*" else "[^/]")
            i += 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            out.append(pattern[i : end + 1])
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


@pytest.mark.parametrize(
    "path",
    [
        ".git/HEAD",
        ".venv/bin/python",
        ".env",
        "test-artifacts/report.xml",
        "node_modules/x/index.js",
        "bench/results.json",
        "docs/_build/index.html",
        "tests/deploy/test_image.py",
        "services/gateway/tests/test_app.py",
        "libs/common/src/pacbot/common/__pycache__/db.cpython-311.pyc",
        "services/inventory/src/pacbot/inventory/.pacbot/data/inventory.db",
        ".pytest_cache/v/cache/nodeids",
    ],
)
def test_the_context_leaves_out(path: str) -> None:
    assert ignored(path)


def test_the_context_holds_everything_the_build_copies() -> None:
    for args in build().all("COPY"):
        words = args.split()
        if any(w.startswith("--from") for w in words):
            continue
        for source in words[:-1]:
            assert not ignored(source), source
            assert not ignored(f"{source}/pacbot/x.py" if source.endswith("/src") else source)
