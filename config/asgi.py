"""ASGI entry point."""

import os

from config.startup import exit_on_bad_configuration

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

with exit_on_bad_configuration(check_database=True):
    from django.core.asgi import get_asgi_application

    application = get_asgi_application()
