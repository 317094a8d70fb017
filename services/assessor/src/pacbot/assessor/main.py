"""Process entry point: ``pacbot-assessor [serve|migrate]``."""

from __future__ import annotations

from pacbot.assessor.app import MIGRATIONS, create_app
from pacbot.assessor.settings import AssessorSettings
from pacbot.common.serve import serve


def main() -> None:
    """Run the assessor API and its consumer, or only its migrations."""
    serve(create_app, AssessorSettings, MIGRATIONS)
