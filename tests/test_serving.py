"""The production gunicorn configuration (config/gunicorn.conf.py) boots and serves the site."""

import gc
import os
import runpy
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.localstripe import free_port

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config" / "gunicorn.conf.py"


def test_config_spreads_connections_over_workers_with_threads():
    config = runpy.run_path(str(CONFIG))

    assert config["worker_class"] == "gthread"
    assert config["reuse_port"] is True
    assert config["workers"] >= 1 and config["threads"] >= 1


def test_environment_overrides_workers_and_threads(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "6")

    config = runpy.run_path(str(CONFIG))

    assert (config["workers"], config["threads"]) == (3, 6)


def test_worker_start_moves_start_up_objects_out_of_the_collector():
    config = runpy.run_path(str(CONFIG))
    try:
        config["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_gunicorn_serves_the_site_with_the_production_config(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "STRIPE_", "DATABASE_"))}
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="serving-test-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        STRIPE_SECRET_KEY="sk_test_serving",
        STRIPE_PUBLISHABLE_KEY="pk_test_serving",
        STRIPE_WEBHOOK_SECRET="whsec_serving",
        DATABASE_URL=f"sqlite:///{tmp_path / 'serving.sqlite3'}",
        WEB_CONCURRENCY="2",
        GUNICORN_BIND=f"127.0.0.1:{port}",
    )
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", str(CONFIG), "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status = _get(f"http://127.0.0.1:{port}/stripe/webhook")
                break
            except OSError:
                time.sleep(0.2)
        if status is None:
            server.terminate()
            pytest.fail(f"gunicorn did not answer: {server.communicate(timeout=10)[1][-2000:]}")

        assert status == 405  # the webhook endpoint answers, and only to POST
    finally:
        server.terminate()
        server.wait(timeout=20)
