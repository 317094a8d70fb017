"""Allow `python -m pacbot.cli.devstack up|down|status`."""

import sys

from . import cli

raise SystemExit(cli(sys.argv[1:]))
