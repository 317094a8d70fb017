"""Process entry point: ``pacbot-exceptions [serve|migrate]``."""

from __future__ import annotations

from pacbot.common.serve import serve
from pacbot.exceptions.app import MIGRATIONS, create_app
from pacbot.exceptions.settings import ExceptionsSettings


def main() -> None:
    """Run the exceptions service, or only its migrations."""
    serve(create_app, ExceptionsSettings, MIGRATIONS)


if __name__ == "__main__":
    main()
