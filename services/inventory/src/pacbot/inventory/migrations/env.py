"""Alembic environment: migrate the connection handed over by pacbot.common.migrations."""

from pacbot.common.migrations import run_env
from pacbot.inventory.models import Base

run_env(Base.metadata)
