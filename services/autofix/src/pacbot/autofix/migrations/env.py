"""Alembic environment of the autofix service."""

from pacbot.autofix.models import Base
from pacbot.common.migrations import run_env

run_env(Base.metadata)
