"""WSGI entry point (gunicorn config.wsgi). Bad configuration stops start-up with one line.

So does a production start before `manage.py collectstatic`, which would answer every page with a 500.
"""

import os

from config.startup import check_static_files_collected, exit_on_bad_configuration

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

with exit_on_bad_configuration(check_database=True):
    import django
    from django.core.wsgi import get_wsgi_application

    django.setup(set_prefix=False)
    check_static_files_collected()  # before the app: whitenoise would warn first about a missing STATIC_ROOT
    application = get_wsgi_application()
