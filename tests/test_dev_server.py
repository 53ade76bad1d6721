"""`make run` and the commands beside it: ports in use, whose localstripe gets the webhook, demo settings.

Each test starts `make run` as a developer does, on free loopback ports with its own SQLite file,
localstripe state and outbox under tmp_path, in a process group of its own, and stops only that group.
"""

import contextlib
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from scripts import dev_server
from tests.localstripe import ROOT, free_port

# `make -o .venv/.installed`: the tests use the venv they run in and never reinstall it.
MAKE = ["make", "--no-print-directory", "-o", ".venv/.installed"]
# What tests/env_defaults.py (and CI) set for the suite; a developer's shell has none of them.
SUITE_VARIABLES = (
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "SITE_URL",
    "STRIPE_SECRET_KEY",
    "STRIPE_PUBLISHABLE_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_API_BASE",
    "EMAIL_BACKEND",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "REDIS_CACHE_URL",
)


def demo_environment(directory: Path, *, port: int, localstripe_port: int) -> dict[str, str]:
    """A developer's shell, with the checkout's files (database, localstripe state, outbox) in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    environment = {name: value for name, value in os.environ.items() if name not in SUITE_VARIABLES}
    environment.update(
        PORT=str(port),
        LOCALSTRIPE_PORT=str(localstripe_port),
        DATABASE_URL=f"sqlite:///{directory / 'db.sqlite3'}",
        LOCALSTRIPE_STATE_DIR=str(directory / "localstripe"),
        EMAIL_FILE_PATH=str(directory / "outbox"),
    )
    return environment


class MakeRun:
    """One `make run`, its output in a file, in its own process group."""

    def __init__(self, environment: dict[str, str], log: Path) -> None:
        self.log = log
        self.process = subprocess.Popen(
            [*MAKE, "run"],
            cwd=ROOT,
            env=environment,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_serving(self, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"make run stopped:\n{self.output()}"
            if "Serving http" in self.output():
                return
            time.sleep(0.2)
        raise AssertionError(f"make run did not serve within {seconds}s:\n{self.output()}")

    def wait_for_exit(self, seconds: float) -> int:
        return self.process.wait(timeout=seconds)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@pytest.fixture
def make_run(tmp_path):
    """Start `make run`s; each is stopped (its process group only) at the end of the test."""
    started: list[MakeRun] = []

    def start(environment: dict[str, str]) -> MakeRun:
        run = MakeRun(environment, tmp_path / f"make-run-{len(started)}.log")
        started.append(run)
        return run

    yield start
    for run in reversed(started):
        run.stop()
    stop_leftovers(marker=str(tmp_path))


def stop_leftovers(*, marker: str) -> None:
    """Stop what our runs started and left (make's children live in sessions of their own): the processes
    whose environment names this test's folder, which only processes started by this test carry."""
    ours = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        with contextlib.suppress(OSError):
            if int(environ.parent.name) != os.getpid() and marker.encode() in environ.read_bytes():
                ours.append(int(environ.parent.name))
    for signum in (signal.SIGTERM, signal.SIGKILL):
        for pid in ours:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)
        if signum == signal.SIGTERM:
            time.sleep(1)


def status_of(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status


def create_customer(localstripe_port: int, email: str) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{localstripe_port}/v1/customers",
        data=f"email={email}".encode(),
        headers={"Authorization": "Bearer sk_test_demo_offline"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=10).close()


def stored_event_types(database: Path) -> list[str]:
    with sqlite3.connect(database) as connection:
        return [row[0] for row in connection.execute("select type from payments_webhookevent")]


def wait_for_event(database: Path, event_type: str, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if event_type in stored_event_types(database):
            return True
        time.sleep(0.3)
    return False


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.mark.resilience
def test_second_make_run_stops_at_once_with_one_line_naming_the_port(make_run, tmp_path):
    port, localstripe_port = free_port(), free_port()
    environment = demo_environment(tmp_path / "checkout", port=port, localstripe_port=localstripe_port)
    first = make_run(environment)
    first.wait_until_serving()

    started = time.monotonic()
    second = make_run(environment)
    status = second.wait_for_exit(seconds=30)
    took = time.monotonic() - started

    assert status != 0
    assert took < 5
    lines = [line for line in second.output().splitlines() if line.startswith("make run:")]
    assert lines == [
        f"make run: port {port} on 127.0.0.1 (the site) is already in use: stop what uses it, "
        f"or choose another port, e.g. `PORT={dev_server.free_port_after(port)} make run`"
    ]
    assert "Operations to perform" not in second.output()  # it did not even migrate
    assert first.process.poll() is None
    assert status_of(f"http://127.0.0.1:{port}/healthz") == 200


@pytest.mark.resilience
def test_second_make_run_on_another_site_port_leaves_the_first_its_webhooks(make_run, tmp_path):
    localstripe_port = free_port()
    first_dir, second_dir = tmp_path / "first", tmp_path / "second"
    first = make_run(demo_environment(first_dir, port=free_port(), localstripe_port=localstripe_port))
    first.wait_until_serving()

    second = make_run(demo_environment(second_dir, port=free_port(), localstripe_port=localstripe_port))
    status = second.wait_for_exit(seconds=30)
    create_customer(localstripe_port, "reader@example.org")

    assert status != 0
    assert f"port {localstripe_port} on 127.0.0.1 (localstripe) is already in use" in second.output()
    assert "LOCALSTRIPE_PORT=" in second.output()
    assert wait_for_event(first_dir / "db.sqlite3", "customer.created")


@pytest.mark.resilience
def test_make_run_with_its_site_port_taken_starts_nothing(make_run, tmp_path):
    port, localstripe_port = free_port(), free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen(1)
        run = make_run(demo_environment(tmp_path / "checkout", port=port, localstripe_port=localstripe_port))
        status = run.wait_for_exit(seconds=30)

        assert status != 0
        assert f"make run: port {port} on 127.0.0.1 (the site) is already in use" in run.output()
        assert "PORT=" in run.output()
        assert "localstripe on" not in run.output()
        assert port_is_free(localstripe_port)


def test_a_localstripe_without_our_token_is_not_ours(localstripe):
    assert not dev_server.is_our_localstripe(localstripe.url, "a-token-it-was-never-given")


def test_the_localstripe_started_with_a_token_is_recognised(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "localstripe_server.py"), "--port", str(port), "--no-state"],
        env={**os.environ, dev_server.TOKEN_VARIABLE: "token-1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        dev_server.wait_for_child(process, f"http://127.0.0.1:{port}/_config/instance", "localstripe")

        assert dev_server.is_our_localstripe(f"http://127.0.0.1:{port}", "token-1")
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_child_that_dies_at_start_up_stops_the_run():
    child = subprocess.Popen([sys.executable, "-c", "raise SystemExit(98)"])

    with pytest.raises(SystemExit, match=r"localstripe stopped during start-up \(exit status 98\)"):
        dev_server.wait_for_child(child, f"http://127.0.0.1:{free_port()}/", "localstripe")


@pytest.mark.integration
def test_make_reconcile_runs_beside_make_run_with_the_demo_settings(localstripe, tmp_path):
    environment = demo_environment(tmp_path, port=free_port(), localstripe_port=localstripe.port)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env={**environment, "DJANGO_DEBUG": "true"},
        check=True,
        capture_output=True,
    )

    result = subprocess.run(
        [*MAKE, "-s", "reconcile"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    assert "DJANGO_SECRET_KEY is not set" not in result.stderr
    assert "The ledger agrees with Stripe." in result.stdout


def test_every_command_the_readme_shows_runs_beside_make_run():
    """Commands in the README are make targets (with the demo's settings), never a bare manage.py."""
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"`((?:[A-Z_]+=\S+ )*(?:make|\.venv/bin/python|python) [^`]*)`", readme)
    targets = {match.group(1) for command in commands if (match := re.search(r"make (\w+)", command))}

    assert not [command for command in commands if "manage.py" in command]
    assert {"run", "reconcile", "import"} <= targets
    for target in sorted(targets):
        dry_run = subprocess.run([*MAKE, "-n", target], cwd=ROOT, capture_output=True, text=True)
        assert dry_run.returncode == 0, f"make {target}: {dry_run.stderr}"
