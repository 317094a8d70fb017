"""Process entry point: ``pacbot-violations [serve|migrate]``."""

from __future__ import annotations

from pacbot.common.serve import serve
from pacbot.violations.app import MIGRATIONS, create_app
from pacbot.violations.settings import ViolationsSettings


def main() -> None:
    """Run the violations API and its consumers, or only its migrations."""
    serve(create_app, ViolationsSettings, MIGRATIONS)
