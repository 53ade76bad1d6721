#!/usr/bin/env python
"""Django's command-line utility; bad configuration ends it with one clear line."""

import os
import sys

import django
from django.core.management import execute_from_command_line

from config.startup import check_database_reachable, exit_on_bad_configuration

# Commands that must work with no database (to diagnose or to build static files).
NO_DATABASE_COMMANDS = {
    "help",
    "version",
    "collectstatic",
    "check",
    "makemessages",
    "compilemessages",
}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    command = sys.argv[1] if len(sys.argv) > 1 else "help"
    needs_database = command not in NO_DATABASE_COMMANDS and not command.startswith("-")
    with exit_on_bad_configuration(check_database=False):
        django.setup()
        if needs_database:
            check_database_reachable()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
