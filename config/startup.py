"""Turns bad configuration into one clear line on stderr and exit status 1, not a traceback."""

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.utils import OperationalError

COLLECTSTATIC = "run `python manage.py collectstatic --noinput` before starting the server"


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


def check_static_files_collected() -> None:
    """With the manifest storage (production), a page whose static file is not in the manifest is a 500
    ("Missing staticfiles manifest entry"): refuse to start instead, if collectstatic never ran or ran
    before a static file was added. Needs the app registry (django.setup())."""
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return
    manifest = Path(settings.STATIC_ROOT) / staticfiles_storage.manifest_name
    if staticfiles_storage.read_manifest() is None:
        raise ImproperlyConfigured(f"static files are not collected ({manifest} is missing): {COLLECTSTATIC}")
    try:
        collected, _hash = staticfiles_storage.load_manifest()
    except ValueError as exc:
        raise ImproperlyConfigured(f"{manifest} is unreadable ({exc}): {COLLECTSTATIC}") from None
    ignore = apps.get_app_config("staticfiles").ignore_patterns
    found = {path.replace(os.sep, "/") for finder in finders.get_finders() for path, _ in finder.list(ignore)}
    if missing := sorted(found - collected.keys()):
        raise ImproperlyConfigured(
            f"static files changed since collectstatic ({len(missing)} not in {manifest}, "
            f"first {missing[0]}): {COLLECTSTATIC}"
        )


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
