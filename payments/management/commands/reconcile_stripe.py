"""manage.py reconcile_stripe [--since DATE]: repair the ledger from Stripe and print the differences."""

from django.core.management.base import BaseCommand, CommandError

from payments.ledger import reconciliation


class Command(BaseCommand):
    help = "Store and process Stripe events and payments the site missed; report ledger differences."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--since", help="Start of the window (YYYY-MM-DD or ISO datetime, UTC).")

    def handle(self, *args, since: str | None = None, **options) -> None:
        try:
            start = reconciliation.parse_since(since) if since else reconciliation.default_since()
        except ValueError as exc:
            raise CommandError(f"--since: {exc}") from None
        report = reconciliation.stripe_reconcile(since=start)
        self.stdout.write(
            f"Since {start:%Y-%m-%d %H:%M} UTC: {report.events_seen} events at Stripe, "
            f"{report.events_stored} stored now, {report.events_processed} processed, "
            f"{report.payments_repaired} payments or refunds repaired."
        )
        for key, values in report.totals.items():
            self.stdout.write(
                f"  {key}: Stripe {values['stripe']} ({values['stripe_count']}), "
                f"ledger {values['ledger']} ({values['ledger_count']})"
            )
        if report.differences:
            self.stdout.write(self.style.WARNING(f"Differences: {report.differences}"))
        else:
            self.stdout.write(self.style.SUCCESS("The ledger agrees with Stripe."))
