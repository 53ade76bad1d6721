"""The foundation: health check, gateway through the real SDK, a real Celery worker, start-up errors."""

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from celery.signals import task_prerun
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.staticfiles import finders
from django.core import mail

from accounts.tasks import send_templated_email
from config.celery import warn_if_eager
from payments import gateway
from tests.conftest import requires_broker
from tests.localstripe import free_port
from tests.stripe_faults import SilentStripe

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.integration
def test_gateway_creates_a_customer_in_localstripe_and_reads_it_back(localstripe):
    created = gateway.create_customer(
        email="reader@example.org", name="Ada Reader", idempotency_key="test:customer:1"
    )

    fetched = gateway.retrieve_customer(created.id)

    assert created.id.startswith("cus_")
    assert fetched == created
    assert fetched.email == "reader@example.org"


@pytest.mark.integration
def test_gateway_reaches_localstripe_through_the_configured_api_base(localstripe):
    gateway.create_customer(email="one@example.org", idempotency_key="test:customer:base")

    listing = gateway.client().v1.customers.list({"limit": 10})

    assert [c.email for c in listing.data] == ["one@example.org"]


@pytest.mark.integration
def test_healthz_answers_200_when_database_broker_and_stripe_are_reachable(client, localstripe, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["components"]) == {"database", "broker", "stripe"}


def test_healthz_answers_503_naming_stripe_when_it_is_unreachable(client, db, settings):
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"
    settings.STRIPE_MAX_NETWORK_RETRIES = 0

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["stripe"]


@pytest.mark.resilience
def test_healthz_answers_503_naming_stripe_within_3_seconds_when_stripe_hangs(client, db, settings):
    with SilentStripe() as hung_stripe:
        settings.STRIPE_API_BASE = hung_stripe.url
        started = time.monotonic()
        response = client.get("/healthz")
        elapsed = time.monotonic() - started

    print(f"\n/healthz with a hung Stripe: {response.status_code} after {elapsed:.2f} s")
    assert response.status_code == 503
    assert response.json()["failing"] == ["stripe"]
    assert elapsed < 3
    assert hung_stripe.accepted == 1  # asked once, never retried


def test_healthz_answers_503_naming_the_broker_when_it_is_unreachable(client, db, settings, localstripe):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


@pytest.mark.integration
@requires_broker
def test_a_task_runs_on_a_real_celery_worker_through_the_broker(celery_worker_thread):
    runs = []

    def record_run(task, **_kwargs):
        """Note how the task runs: only a worker that took it off the broker knows the queue it came from."""
        if task.name == send_templated_email.name:
            runs.append(
                {
                    "is_eager": task.request.is_eager,
                    "queue": (task.request.delivery_info or {}).get("routing_key"),
                    "always_eager": task.app.conf.task_always_eager,
                    "thread": threading.get_ident(),
                }
            )

    task_prerun.connect(record_run, weak=False)
    try:
        send_templated_email.delay(
            to="reader@example.org", template="emails/welcome", context={"name": "Ada"}
        )
        deadline = time.monotonic() + 20
        while not mail.outbox and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        task_prerun.disconnect(record_run)

    assert [m.to for m in mail.outbox] == [["reader@example.org"]]
    assert "Ada" in mail.outbox[0].body
    assert len(runs) == 1
    run = runs[0]
    assert run["thread"] != threading.get_ident()  # not inline in the test's thread
    assert (run["is_eager"], run["always_eager"]) == (False, False)
    assert run["queue"] == django_settings.CELERY_TASK_DEFAULT_QUEUE  # delivered from the broker's queue


def test_without_a_broker_tasks_run_in_process_and_say_so(caplog, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with caplog.at_level("WARNING", logger="config.celery"):
        warn_if_eager()

    assert "CELERY_BROKER_URL is not set" in caplog.text


def _start(command: list[str], **env_overrides: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "STRIPE_", "DATABASE_"))}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_production_start_without_secret_key_stops_with_one_line_naming_it():
    result = _start(["manage.py", "check"], DJANGO_DEBUG="false")

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == ["Configuration error: DJANGO_SECRET_KEY is not set (required when DJANGO_DEBUG is off)"]


def test_production_start_without_stripe_key_names_that_variable():
    result = _start(
        ["manage.py", "check"],
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="example.org",
    )

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Configuration error: STRIPE_SECRET_KEY is not set (required when DJANGO_DEBUG is off)"
    ]


def test_unreachable_database_stops_start_up_with_one_line_naming_database_url():
    port = free_port()
    result = _start(
        ["manage.py", "migrate"],
        DJANGO_DEBUG="true",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/nowhere",
    )

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        f"Configuration error: DATABASE_URL (postgres://127.0.0.1:{port}/nowhere) is unreachable"
    )


def test_wsgi_start_with_unreachable_database_stops_with_one_line():
    result = _start(
        ["-c", "import config.wsgi"],
        DJANGO_DEBUG="true",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/nowhere",
    )

    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "DATABASE_URL" in result.stderr


def _production_start(tmp_path: Path, static_root: Path) -> subprocess.CompletedProcess:
    return _start(
        ["-c", "import config.wsgi"],
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="example.org",
        DJANGO_STATIC_ROOT=str(static_root),
        STRIPE_SECRET_KEY="sk_test_start",
        STAGING_SITE="true",
        STRIPE_PUBLISHABLE_KEY="pk_test_start",
        STRIPE_WEBHOOK_SECRET="whsec_start",
        MEMBER_TOKEN_SECRET="m" * 48,
        DATABASE_URL=f"sqlite:///{tmp_path / 'start.sqlite3'}",
    )


def test_wsgi_start_in_production_before_collectstatic_stops_with_one_line_naming_it(tmp_path):
    result = _production_start(tmp_path, static_root=tmp_path / "static")

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"Configuration error: static files are not collected ({tmp_path / 'static' / 'staticfiles.json'} "
        "is missing): run `python manage.py collectstatic --noinput` before starting the server"
    ]


def test_wsgi_start_in_production_with_a_static_file_added_after_collectstatic_stops_naming_it(tmp_path):
    """The manifest of an earlier deploy, before css/site.css existed: that page would be a 500."""
    ignore = apps.get_app_config("staticfiles").ignore_patterns
    earlier = {path for finder in finders.get_finders() for path, _ in finder.list(ignore)} - {"css/site.css"}
    (tmp_path / "static").mkdir()
    manifest = tmp_path / "static" / "staticfiles.json"
    manifest.write_text(json.dumps({"version": "1.1", "hash": "", "paths": {path: path for path in earlier}}))

    result = _production_start(tmp_path, static_root=tmp_path / "static")

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"Configuration error: static files changed since collectstatic (1 not in {manifest}, first "
        "css/site.css): run `python manage.py collectstatic --noinput` before starting the server"
    ]


def test_wsgi_start_in_production_after_collectstatic_loads_the_application(tmp_path):
    ignore = apps.get_app_config("staticfiles").ignore_patterns
    everything = {path for finder in finders.get_finders() for path, _ in finder.list(ignore)}
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "staticfiles.json").write_text(
        json.dumps({"version": "1.1", "hash": "", "paths": {path: path for path in everything}})
    )

    result = _production_start(tmp_path, static_root=tmp_path / "static")

    assert (result.returncode, result.stderr) == (0, "")
