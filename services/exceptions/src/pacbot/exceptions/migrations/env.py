"""Alembic environment of the exceptions service."""

from pacbot.common.migrations import run_env
from pacbot.exceptions.models import Base

run_env(Base.metadata)
