"""Fixtures shared by every test folder: the real dev stack: PostgreSQL, Kafka, OpenSearch, moto."""

from __future__ import annotations

import os
import secrets
import uuid

import pytest

from pacbot.cli.devstack import DevStack, StackInfo

# Every service needs the internal token secret; one per test run, seen by every app and process.
os.environ.setdefault("PACBOT_INTERNAL_SECRET", secrets.token_urlsafe(48))


@pytest.fixture(scope="session")
def stack() -> StackInfo:
    """Start (or reuse) the real servers; never skipped: a missing server is a failing test."""
    return DevStack().up()


@pytest.fixture
def aws_env(stack: StackInfo, monkeypatch: pytest.MonkeyPatch) -> str:
    """Credentials and region for the moto server; yields its URL."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return stack.moto_url


@pytest.fixture
def unique() -> str:
    """A short random suffix so tests on shared servers never collide."""
    return uuid.uuid4().hex[:10]


def pytest_report_header() -> list[str]:
    """Say which stack the run uses."""
    home = os.environ.get("PACBOT_DEV_HOME", "~/.cache/pacbot/devstack")
    return [f"pacbot dev stack home: {home}"]
