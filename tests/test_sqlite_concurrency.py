"""The demo's SQLite takes concurrent writers without "database is locked" (config/settings.py OPTIONS).

The suite's own database is in memory (or PostgreSQL in CI), so the writers (tests/sqlite_writers.py) run
in a subprocess on a file database configured as `make run` configures db.sqlite3: from the settings.
"""

import json
import os
import subprocess
import sys

from tests.localstripe import ROOT
from tests.sqlite_writers import ROUNDS, THREADS

WRITERS = "import django; django.setup(); from tests.sqlite_writers import main; main()"
JOURNAL_MODE = (
    "import django; django.setup(); from django.db import connection; cursor = connection.cursor();"
    " cursor.execute('PRAGMA journal_mode'); print(json.dumps({'journal_mode': cursor.fetchone()[0]}))"
)


def run_in_django(script: str, database) -> dict:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    result = subprocess.run(
        [sys.executable, "-c", f"import json; {script}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_concurrent_writers_on_the_demo_sqlite_never_find_it_locked(tmp_path):
    outcome = run_in_django(WRITERS, tmp_path / "db.sqlite3")

    assert outcome["errors"] == []
    assert outcome["events"] == outcome["contributions"] == THREADS * ROUNDS


def test_the_demo_sqlite_uses_write_ahead_logging(tmp_path):
    assert run_in_django(JOURNAL_MODE, tmp_path / "db.sqlite3")["journal_mode"] == "wal"
