"""Alembic environment of the violations service."""

from pacbot.common.migrations import run_env
from pacbot.violations.models import Base

run_env(Base.metadata)
