"""WSGI entry point (gunicorn config.wsgi). Bad configuration stops start-up with one line."""

import os

from config.startup import exit_on_bad_configuration

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

with exit_on_bad_configuration(check_database=True):
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
