"""Load the demo data that `make run` shows; running it twice changes nothing."""

from django.core.management.base import BaseCommand

from accounts.demo import DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD, load_demo_staff
from checkout.demo import load_demo_presets, load_demo_tiers


class Command(BaseCommand):
    help = "Load demo data (idempotent): a staff user, and more as the product grows."

    def handle(self, *args, **options) -> None:
        _user, created = load_demo_staff()
        self.stdout.write(
            ("Created" if created else "Kept")
            + f" demo staff login: {DEMO_STAFF_EMAIL} / {DEMO_STAFF_PASSWORD}"
        )
        self.stdout.write(f"Checkout preset amounts: {load_demo_presets()} created")
        self.stdout.write(f"Membership tiers: {load_demo_tiers()} created")
