"""The production gunicorn configuration (config/gunicorn.conf.py) boots and serves the site.

One gunicorn is started for the module, as production starts it, with non-default worker and thread
counts from the environment; the tests look at what it does (processes, threads, sockets, answers),
not at the values written in the file.
"""

import gc
import os
import re
import runpy
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.localstripe import free_port

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config" / "gunicorn.conf.py"
WORKERS = 2
THREADS = 3  # not the file's default of 4, so the environment's value is what the workers must show

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="reads worker processes, threads and sockets from /proc"
)


@dataclass
class Gunicorn:
    process: subprocess.Popen
    port: int
    log: Path

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def worker_pids(self) -> list[int]:
        return [int(pid) for pid in re.findall(r"Booting worker with pid: (\d+)", self.log_text())]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _wait_until_served(server: Gunicorn, deadline: float) -> None:
    while time.monotonic() < deadline and server.process.poll() is None:
        try:
            _get(server.url("/stripe/webhook"))
        except OSError:  # not listening yet, or the worker is still importing the site
            time.sleep(0.2)
        else:
            break
    else:
        pytest.fail(f"gunicorn did not answer: {server.log_text()[-2000:]}")
    # The other workers boot alongside; the tests below count them, so give them a moment, not more.
    boot_deadline = time.monotonic() + 10
    while len(server.worker_pids()) < WORKERS and time.monotonic() < boot_deadline:
        time.sleep(0.1)


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("gunicorn")
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
        WEB_CONCURRENCY=str(WORKERS),
        GUNICORN_THREADS=str(THREADS),
        GUNICORN_BIND=f"127.0.0.1:{port}",
    )
    gunicorn_bin = str(Path(sys.executable).parent / "gunicorn")
    # No control socket: its default path (~/.gunicorn) is shared by every gunicorn of this user.
    command = [gunicorn_bin, "-c", str(CONFIG), "--no-control-socket", "config.wsgi"]
    log = tmp_path / "gunicorn.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
    server = Gunicorn(process=process, port=port, log=log)
    try:
        _wait_until_served(server, deadline=time.monotonic() + 60)
        yield server
    finally:
        process.terminate()  # the master we started, by its PID; it stops its own workers
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _threads_of(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^Threads:\s+(\d+)$", status, re.MULTILINE).group(1))


def _listening_socket_inodes(port: int) -> set[str]:
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].rsplit(":", 1)[1], 16)
        if local_port == port and fields[3] == "0A":  # 0A: LISTEN
            inodes.add(fields[9])
    return inodes


def _socket_inodes_of(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            match = re.fullmatch(r"socket:\[(\d+)\]", os.readlink(fd))
        except OSError:  # closed since the listing
            continue
        if match:
            inodes.add(match.group(1))
    return inodes


def test_gunicorn_serves_the_site_with_the_production_config(gunicorn):
    status = _get(gunicorn.url("/stripe/webhook"))

    assert status == 405  # the webhook endpoint answers, and only to POST


def test_the_master_runs_as_many_threaded_workers_as_web_concurrency_asks(gunicorn):
    children = Path(f"/proc/{gunicorn.process.pid}/task/{gunicorn.process.pid}/children").read_text()

    assert sorted(int(pid) for pid in children.split()) == sorted(gunicorn.worker_pids())
    assert len(gunicorn.worker_pids()) == WORKERS
    assert "Using worker: gthread" in gunicorn.log_text()


def test_each_worker_serves_at_most_gunicorn_threads_requests_at_once(gunicorn):
    # Clients that send half a request each hold one of a worker's threads. With many more of them
    # than WORKERS * THREADS, every worker's pool is full: its main thread plus THREADS, no more.
    slow_clients = []
    try:
        for _ in range(40):
            client = socket.create_connection(("127.0.0.1", gunicorn.port), timeout=5)
            client.sendall(b"GET /stripe/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            slow_clients.append(client)
        expected = {pid: 1 + THREADS for pid in gunicorn.worker_pids()}
        deadline = time.monotonic() + 10
        while (threads := {pid: _threads_of(pid) for pid in expected}) != expected:
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
    finally:
        for client in slow_clients:
            client.close()

    assert threads == expected


def test_each_worker_listens_on_its_own_socket_so_the_kernel_spreads_connections(gunicorn):
    listening = _listening_socket_inodes(gunicorn.port)

    owned = {pid: _socket_inodes_of(pid) & listening for pid in gunicorn.worker_pids()}

    assert len(listening) == WORKERS
    assert sorted(len(inodes) for inodes in owned.values()) == [1] * WORKERS
    assert set().union(*owned.values()) == listening
    assert _socket_inodes_of(gunicorn.process.pid) & listening == set()  # the master accepts nothing


def test_worker_start_moves_start_up_objects_out_of_the_collector():
    config = runpy.run_path(str(CONFIG))
    try:
        config["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
