"""Loaded by pytest before Django (`-p tests.env_defaults`): development defaults for the tests.

Values already in the environment win, so CI's DATABASE_URL and CELERY_BROKER_URL are kept.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("SITE_URL", "http://testserver")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("STRIPE_SECRET_KEY", "sk_test_suite")
os.environ.setdefault("STRIPE_PUBLISHABLE_KEY", "pk_test_suite")
os.environ.setdefault("STRIPE_WEBHOOK_SECRET", "whsec_test_suite")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
