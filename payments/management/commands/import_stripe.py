"""manage.py import_stripe [--restart]: backfill contributors, memberships, contributions and the ledger."""

import sys

from django.core.management.base import BaseCommand
from tqdm import tqdm

from payments import stripe_import


class Command(BaseCommand):
    help = "Import an existing Stripe account; resumable after interruption and safe to run again."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--restart", action="store_true", help="Start a new run instead of resuming.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bars (logs, CI).")

    def handle(self, *args, restart: bool = False, no_progress: bool = False, **options) -> None:
        def progress(items, description):
            return tqdm(items, desc=description, unit=" objects", disable=no_progress, file=sys.stderr)

        run = stripe_import.stripe_account_import(progress=progress, restart=restart)
        counts = ", ".join(f"{count} {kind}" for kind, count in run.counts.items()) or "nothing new"
        self.stdout.write(self.style.SUCCESS(f"Import run {run.pk} finished: {counts}."))
