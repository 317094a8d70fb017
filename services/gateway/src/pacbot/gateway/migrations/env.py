"""Alembic environment of the gateway."""

from pacbot.common.migrations import run_env
from pacbot.gateway.models import Base

run_env(Base.metadata)
