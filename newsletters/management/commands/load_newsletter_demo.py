"""The demo's newsletters; running it twice changes nothing."""

from django.core.management.base import BaseCommand

from newsletters.demo import load_demo_newsletters


class Command(BaseCommand):
    help = "Load the demo's newsletters (idempotent)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"Newsletters: {load_demo_newsletters()} created")
