"""Process entry point: ``pacbot-autofix [serve|migrate]``."""

from __future__ import annotations

from pacbot.autofix.app import MIGRATIONS, create_app
from pacbot.autofix.settings import AutofixSettings
from pacbot.common.serve import serve


def main() -> None:
    """Run the autofix service, or only its migrations."""
    serve(create_app, AutofixSettings, MIGRATIONS)


if __name__ == "__main__":
    main()
