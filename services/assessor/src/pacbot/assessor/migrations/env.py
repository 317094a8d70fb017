"""Alembic environment of the assessor."""

from pacbot.assessor.models import Base
from pacbot.common.migrations import run_env

run_env(Base.metadata)
