"""Turns bad configuration into one clear line on stderr and exit status 1, not a traceback."""

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.utils import OperationalError


def _describe_database() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return "DATABASE_URL (unset: SQLite file)"
    parts = urlsplit(url)
    where = f"{parts.hostname or ''}:{parts.port or ''}{parts.path}"
    return f"DATABASE_URL ({parts.scheme}://{where})"


def check_database_reachable() -> None:
    try:
        connection.ensure_connection()
    except OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ImproperlyConfigured(f"{_describe_database()} is unreachable: {reason}") from None


@contextmanager
def exit_on_bad_configuration(*, check_database: bool = False) -> Iterator[None]:
    """Wrap start-up: settings errors and an unreachable database end the process with one line."""
    try:
        yield
        if check_database:
            check_database_reachable()
    except ImproperlyConfigured as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        sys.exit(1)
    except OperationalError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(
            f"Configuration error: {_describe_database()} is unreachable: {first_line}",
            file=sys.stderr,
        )
        sys.exit(1)
