"""`manage.py rebuild_rollups`: recompute every report rollup from the ledger and membership history."""

import time

from django.core.management.base import BaseCommand

from reporting.bulk_insert import analyze
from reporting.rebuild import ROLLUP_MODELS, rollups_rebuild


class Command(BaseCommand):
    help = "Recompute the report rollups from the ledger and the membership events (safe to run any time)."

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        counts = rollups_rebuild()
        analyze(ROLLUP_MODELS)  # after the commit: VACUUM too
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebuilt the rollups from {counts['ledger_entries']} ledger entries and "
                f"{counts['membership_events']} membership events in {time.monotonic() - started:.1f} s."
            )
        )
