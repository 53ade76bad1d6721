"""The production gunicorn configuration (config/gunicorn.conf.py) boots and serves the site.

One gunicorn is started for the module, as production starts it (collectstatic, then gunicorn), with
non-default worker and thread counts from the environment; the tests look at what it does (processes,
threads, sockets, answers), not at the values written in the file.
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
    env: dict[str, str]

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


def _production_env(tmp_path: Path, *, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "STRIPE_", "DATABASE_"))}
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="serving-test-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        STRIPE_SECRET_KEY="sk_test_serving",
        STAGING_SITE="true",  # test keys with DEBUG off: a staging site
        STRIPE_PUBLISHABLE_KEY="pk_test_serving",
        STRIPE_WEBHOOK_SECRET="whsec_serving",
        MEMBER_TOKEN_SECRET="member-token-serving-" + "x" * 32,
        DATABASE_URL=f"sqlite:///{tmp_path / 'serving.sqlite3'}",
        WEB_CONCURRENCY=str(WORKERS),
        GUNICORN_THREADS=str(THREADS),
        GUNICORN_BIND=f"127.0.0.1:{port}",
    )
    return env


def _start_gunicorn(env: dict[str, str], *, port: int, log: Path) -> Gunicorn:
    """`gunicorn -c config/gunicorn.conf.py config.wsgi` as the README says, with its log in `log`."""
    gunicorn_bin = str(Path(sys.executable).parent / "gunicorn")
    # No control socket: its default path (~/.gunicorn) is shared by every gunicorn of this user.
    command = [gunicorn_bin, "-c", str(CONFIG), "--no-control-socket", "config.wsgi"]
    with log.open("w") as log_file:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log_file)
    return Gunicorn(process=process, port=port, log=log, env=env)


def _stop(process: subprocess.Popen) -> None:
    """Stop a master we started, by its PID; it stops its own workers."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    """Production's steps from the README: collectstatic (migrate is not needed by these pages), gunicorn."""
    tmp_path = tmp_path_factory.mktemp("gunicorn")
    port = free_port()
    env = _production_env(tmp_path, port=port)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=180,
    )
    server = _start_gunicorn(env, port=port, log=tmp_path / "gunicorn.log")
    try:
        _wait_until_served(server, deadline=time.monotonic() + 60)
        yield server
    finally:
        _stop(server.process)


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


def test_gunicorn_serves_a_page_and_its_stylesheet_from_the_collected_static_files(gunicorn):
    with urllib.request.urlopen(gunicorn.url("/"), timeout=5) as response:
        page = response.read().decode()
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page)

    assert stylesheet, page[:2000]  # the manifest's hashed name, so browsers may cache it for ever
    assert _get(gunicorn.url(stylesheet.group(1))) == 200


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


def test_a_second_gunicorn_on_the_same_address_refuses_to_start_and_the_first_keeps_serving(
    gunicorn, tmp_path
):
    """With reuse_port the kernel would let the second listen too and give it part of the traffic."""
    second = _start_gunicorn(gunicorn.env, port=gunicorn.port, log=tmp_path / "second.log")
    try:
        exit_status = second.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        exit_status = None  # it started: shown below, after it is stopped
    finally:
        if second.process.poll() is None:
            _stop(second.process)

    assert exit_status == 1, second.log_text()[-2000:]
    assert [line for line in second.log_text().splitlines() if "Refusing" in line] == [
        f"Refusing to start: something already answers at 127.0.0.1:{gunicorn.port} (another gunicorn?); "
        "stop it or set GUNICORN_BIND to a free address"
    ]
    assert "Booting worker" not in second.log_text()
    assert len(_listening_socket_inodes(gunicorn.port)) == WORKERS  # the first one's sockets, no more
    assert _get(gunicorn.url("/stripe/webhook")) == 405


def test_gunicorn_started_before_collectstatic_stops_with_one_line_and_boots_no_worker(tmp_path):
    port = free_port()
    server = _start_gunicorn(_production_env(tmp_path, port=port), port=port, log=tmp_path / "gunicorn.log")
    try:
        exit_status = server.process.wait(timeout=90)
    except subprocess.TimeoutExpired:
        exit_status = None  # it kept going (workers failing and restarted): shown below, after it is stopped
    finally:
        if server.process.poll() is None:
            _stop(server.process)

    assert exit_status == 1, server.log_text()[-2000:]
    assert [line for line in server.log_text().splitlines() if "Configuration error" in line] == [
        f"Configuration error: static files are not collected ({tmp_path / 'static' / 'staticfiles.json'} "
        "is missing): run `python manage.py collectstatic --noinput` before starting the server"
    ]
    assert "Booting worker" not in server.log_text()


def test_worker_start_moves_start_up_objects_out_of_the_collector():
    config = runpy.run_path(str(CONFIG))
    try:
        config["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
