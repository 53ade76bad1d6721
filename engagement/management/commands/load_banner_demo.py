"""The demo's banner messages, campaign and live figures; running it twice changes nothing."""

from django.core.management.base import BaseCommand

from engagement.demo import load_demo_banners
from engagement.live_figures import live_figures_refresh


class Command(BaseCommand):
    help = "Load the demo's banner messages and campaign (idempotent) and refresh the live figures."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"Banner messages: {load_demo_banners()} created")
        figures = live_figures_refresh()
        self.stdout.write("Live figures: " + ", ".join(f"{name}={value}" for name, value in figures.items()))
