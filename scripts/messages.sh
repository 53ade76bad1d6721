#!/bin/sh
# `make messages`: refresh locale/uk/LC_MESSAGES/django.po from the source (new strings arrive
# untranslated: tests/i18n fails until they are translated) and compile the committed .mo.
set -e
cd "$(dirname "$0")/.."
DJANGO_DEBUG=true .venv/bin/python manage.py makemessages -l uk --add-location=file --no-obsolete \
  --ignore=.venv --ignore=node_modules --ignore=bench --ignore=tests --ignore=staticfiles --ignore=var
DJANGO_DEBUG=true .venv/bin/python manage.py compilemessages -l uk --ignore=.venv --ignore=node_modules
