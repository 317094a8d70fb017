"""A service process refuses to start without its required settings, naming all of them at once;
embedded mode is chosen explicitly (PACBOT_EMBEDDED=true), and ``migrate`` needs only a database."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from pacbot.common.settings_catalog import SERVICE_SETTINGS, required_env, settings_class
from tests.services import BINDIR, free_port
from tests.services import _wait_ready as wait_ready

SENTINEL = "never-print-this-password-5b1f"


def bare_env(**values: str) -> dict[str, str]:
    """The caller's environment without any PacBot setting, plus ``values``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PACBOT_")}
    return {**env, **values}


@pytest.mark.parametrize("name", sorted(SERVICE_SETTINGS))
def test_a_process_without_settings_names_every_missing_variable(name: str) -> None:
    env = bare_env(PACBOT_KAFKA_SASL_PASSWORD=SENTINEL, PACBOT_OPENSEARCH_PASSWORD=SENTINEL)
    done = subprocess.run(
        [str(BINDIR / f"pacbot-{name}")], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    errors = [line for line in done.stderr.splitlines() if "required settings are missing" in line]
    assert len(errors) == 1, done.stderr
    for group in required_env(settings_class(name)):
        assert all(env_name in errors[0] for env_name in group), (group, errors[0])
    assert "PACBOT_EMBEDDED=true" in errors[0]
    assert ("OPENSEARCH_URL" in errors[0]) == (name == "inventory")
    assert SENTINEL not in done.stderr + done.stdout


def test_only_what_is_missing_is_named() -> None:
    env = bare_env(
        PACBOT_EXCEPTIONS_DATABASE_URL="postgresql+asyncpg://127.0.0.1:1/nowhere",
        PACBOT_INTERNAL_SECRET=SENTINEL * 2,
    )
    done = subprocess.run(
        [str(BINDIR / "pacbot-exceptions")], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "PACBOT_KAFKA_BOOTSTRAP_SERVERS or PACBOT_EXCEPTIONS_KAFKA_BOOTSTRAP_SERVERS" in (
        done.stderr
    )
    assert "DATABASE_URL" not in done.stderr
    assert "INTERNAL_SECRET" not in done.stderr
    assert SENTINEL not in done.stderr


def test_migrate_needs_only_the_database(tmp_path: Path) -> None:
    command = [str(BINDIR / "pacbot-exceptions"), "migrate"]
    refused = subprocess.run(command, env=bare_env(), capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0
    assert "PACBOT_POSTGRES_URL or PACBOT_EXCEPTIONS_DATABASE_URL" in refused.stderr
    assert "KAFKA" not in refused.stderr
    url = f"sqlite+aiosqlite:///{tmp_path}/exceptions.db"
    done = subprocess.run(
        command,
        env=bare_env(PACBOT_EXCEPTIONS_DATABASE_URL=url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "exceptions.db").stat().st_size > 0


def test_embedded_is_chosen_explicitly(tmp_path: Path) -> None:
    port = free_port()
    env = bare_env(
        PACBOT_EMBEDDED="true",
        PACBOT_DATA_DIR=str(tmp_path),
        PACBOT_INTERNAL_SECRET=SENTINEL * 2,
        PACBOT_EXCEPTIONS_PORT=str(port),
    )
    log = tmp_path / "exceptions.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(BINDIR / "pacbot-exceptions")], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_ready("exceptions", f"http://127.0.0.1:{port}", proc, log, timeout=90)
        assert (tmp_path / "exceptions.db").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.parametrize("name", sorted(SERVICE_SETTINGS))
def test_an_app_factory_started_from_the_environment_checks_it_too(
    name: str, tmp_path: Path
) -> None:
    """``uvicorn --factory pacbot.<name>.app:create_app`` builds the app without settings."""
    probe = (
        f"from pacbot.{name}.app import create_app\n"
        "from pacbot.common.settings_catalog import MissingSettings\n"
        "try:\n"
        "    create_app()\n"
        "except MissingSettings as missing:\n"
        "    print(missing)\n"
        "    raise SystemExit(3)\n"
    )
    refused = subprocess.run(
        [str(BINDIR / "python"), "-c", probe],
        env=bare_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 3, refused.stderr
    assert "required settings are missing" in refused.stdout
    embedded = subprocess.run(
        [str(BINDIR / "python"), "-c", probe],
        env=bare_env(PACBOT_EMBEDDED="true", PACBOT_INTERNAL_SECRET=SENTINEL * 2),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert embedded.returncode == 0, embedded.stderr + embedded.stdout
