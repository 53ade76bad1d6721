"""`manage.py seed_demo`: realistic demo history (memberships, gifts, refunds, disputes) in bulk."""

import sys
import time

from django.core.management.base import BaseCommand

from payments.models import Contributor
from reporting.seeding import SEED_EMAIL_DOMAIN, seed_history


class Command(BaseCommand):
    help = (
        "Generate demo history for the reports: members, payments, churn, reactivation, refunds, campaigns."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--members", type=int, default=300)
        parser.add_argument(
            "--contributions", type=int, default=4000, help="payments in all, renewals included"
        )
        parser.add_argument("--months", type=int, default=24)
        parser.add_argument("--seed", type=int, default=13)
        parser.add_argument("--if-empty", action="store_true", help="do nothing if seeded history exists")

    def handle(self, *args, **options) -> None:
        if (
            options["if_empty"]
            and Contributor.objects.filter(email__endswith=f"@{SEED_EMAIL_DOMAIN}").exists()
        ):
            self.stdout.write("Demo history is already there.")
            return
        started = time.monotonic()
        counts = seed_history(
            members=options["members"],
            contributions=options["contributions"],
            months=options["months"],
            seed=options["seed"],
            progress=self._progress,
        )
        sys.stderr.write("\n")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {counts.members} members ({counts.memberships} memberships), {counts.contributions} "
                f"payments, {counts.ledger_entries} ledger entries and {counts.events} membership events "
                f"in {time.monotonic() - started:.1f} s."
            )
        )

    def _progress(self, done: int, total: int) -> None:
        filled = int(30 * done / max(total, 1))
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {100 * done // max(total, 1):3d}%")
        sys.stderr.flush()
