"""`make run`: take the two ports, migrate, load the demo data, start localstripe, register the webhook,
start a worker if a broker is set, serve.

Both ports (the site's `PORT`, localstripe's from `STRIPE_API_BASE`, which the Makefile builds from
`LOCALSTRIPE_PORT`) are taken before anything starts: if either is in use, one line names it and the
variable that chooses another, and nothing else happens. localstripe gets the listening socket itself
(`--fd`), and is asked for the token this script gave it before the webhook is registered, so a webhook
is only ever registered with the localstripe this run started, never with another run's.
Ctrl-C stops everything this script started; so does any of its children stopping.
"""

import contextlib
import errno
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"
START_SECONDS = 30
TOKEN_VARIABLE = "LOCALSTRIPE_INSTANCE_TOKEN"  # read by scripts/localstripe_server.py


class PortInUse(SystemExit):
    """The one line `make run` ends with when a port it needs is taken: which, and how to choose another."""

    def __init__(self, port: int, what: str, variable: str) -> None:
        super().__init__(
            f"make run: port {port} on {HOST} ({what}) is already in use: stop what uses it, "
            f"or choose another port, e.g. `{variable}={free_port_after(port)} make run`"
        )


def free_port_after(port: int) -> int:
    """The next port up that nothing listens on (a suggestion: it is not held)."""
    for candidate in range(port + 1, min(port + 100, 65536)):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((HOST, candidate))
                sock.listen(1)
            except OSError:
                continue
            return candidate
    return port + 1


def take_port(port: int, what: str, variable: str) -> socket.socket:
    """Bind and listen on the port, so no other run can take it while this one starts.

    SO_REUSEADDR lets a port a previous run just closed (TIME_WAIT) be taken again, but never one that
    another process listens on.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(port, what, variable) from None
        raise
    return sock


def port_is_free(port: int) -> bool:
    try:
        take_port(port, "", "").close()
    except PortInUse:
        return False
    return True


def localstripe_port(api_base: str) -> int:
    parts = urllib.parse.urlsplit(api_base)
    if parts.scheme != "http" or parts.hostname != HOST or not parts.port:
        raise SystemExit(f"make run: STRIPE_API_BASE must be http://{HOST}:<port> (it is {api_base})")
    return parts.port


def answers(url: str) -> bytes | None:
    """The body of any HTTP answer (errors included), or None when nothing listens yet."""
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - loopback URL
            return response.read()
    except urllib.error.HTTPError as exc:
        return exc.read()
    except OSError:
        return None


def wait_for_child(child: subprocess.Popen, url: str, what: str) -> bytes:
    """Wait until the child's URL answers; stop if the child dies first (e.g. its port was taken)."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise SystemExit(f"make run: {what} stopped during start-up (exit status {child.returncode})")
        body = answers(url)
        if body is not None:
            return body
        time.sleep(0.2)
    raise SystemExit(f"make run: {what} did not answer on {url} within {START_SECONDS}s")


def is_our_localstripe(api_base: str, token: str) -> bool:
    """Whether the localstripe at api_base is the one started with this token."""
    body = answers(f"{api_base}/_config/instance")
    try:
        return body is not None and json.loads(body).get("token") == token
    except (ValueError, AttributeError):
        return False


def register_webhook(api_base: str, site_url: str, secret: str) -> None:
    request = urllib.request.Request(  # noqa: S310 - loopback URL
        f"{api_base}/_config/webhooks/site",
        data=json.dumps({"url": f"{site_url}/stripe/webhook", "secret": secret}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=5).close()  # noqa: S310


def start_localstripe(listening: socket.socket, token: str) -> subprocess.Popen:
    state_dir = Path(os.environ.get("LOCALSTRIPE_STATE_DIR") or ROOT / "var" / "localstripe")
    return start(
        ["scripts/localstripe_server.py", "--fd", str(listening.fileno()), "--state-dir", str(state_dir)],
        pass_fds=(listening.fileno(),),
        env={**os.environ, TOKEN_VARIABLE: token},
    )


def start_worker() -> subprocess.Popen:
    return start(["-m", "celery", "-A", "config", "worker", "--beat", "-l", "info", "-c", "2"])


def on_sigterm(*_args) -> None:
    """SIGTERM stops everything quietly, as Ctrl-C does."""
    raise KeyboardInterrupt


def start(args: list[str], **options) -> subprocess.Popen:
    """A child in a process group of its own (runserver's autoreloader and Celery fork), so stop_all
    stops the whole of it, and only it."""
    return subprocess.Popen([PYTHON, *args], cwd=ROOT, start_new_session=True, **options)


def signal_group(child: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)


def stop_all(children: dict[str, subprocess.Popen]) -> None:
    for signum in (signal.SIGTERM, signal.SIGINT):  # a second Ctrl-C or SIGTERM must not cut this short
        signal.signal(signum, signal.SIG_IGN)
    for child in reversed(children.values()):
        signal_group(child, signal.SIGTERM)  # also when the leader is gone: its forks may not be
    for child in children.values():
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            signal_group(child, signal.SIGKILL)
            child.wait()


def serve(
    *,
    port: int,
    api_base: str,
    site_url: str,
    secret: str,
    sockets: dict[str, socket.socket],
    children: dict[str, subprocess.Popen],
) -> None:
    """Start everything on the two ports already taken (`sockets`); end when any child stops."""
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput"], cwd=ROOT, check=True)
    subprocess.run([PYTHON, "manage.py", "load_demo_data"], cwd=ROOT, check=True)
    # A small history for the staff dashboard (/staff/), once: the reports have something to show.
    subprocess.run([PYTHON, "manage.py", "seed_demo", "--if-empty"], cwd=ROOT, check=True)
    # The banner's messages and campaign, and the figures they quote (after the history they count).
    subprocess.run([PYTHON, "manage.py", "load_banner_demo"], cwd=ROOT, check=True)
    subprocess.run([PYTHON, "manage.py", "load_newsletter_demo"], cwd=ROOT, check=True)

    token = secrets.token_hex(16)
    children["localstripe"] = start_localstripe(sockets["localstripe"], token)
    sockets.pop("localstripe").close()  # the child holds it now: the port is free again when the child stops
    wait_for_child(children["localstripe"], f"{api_base}/_config/instance", "localstripe")
    if not is_our_localstripe(api_base, token):
        raise SystemExit(f"make run: {api_base} is not the localstripe this run started; stopping")
    register_webhook(api_base, site_url, secret)
    print(f"localstripe on {api_base}, sending webhooks to {site_url}/stripe/webhook")

    if os.environ.get("CELERY_BROKER_URL"):
        children["the Celery worker"] = start_worker()
    else:
        print("CELERY_BROKER_URL is not set: Celery tasks run in-process (eagerly).")

    sockets.pop("site").close()  # runserver binds the port itself, a moment later
    server = start(["manage.py", "runserver", f"{HOST}:{port}"])
    children["the site"] = server
    try:
        wait_for_child(server, f"{site_url}/healthz", "the site")
    except SystemExit:
        if server.poll() is not None and not port_is_free(port):
            raise PortInUse(port, "the site", "PORT") from None
        raise
    print(f"Serving {site_url} (Ctrl-C stops everything)")
    print(f"Outgoing emails are written to {os.environ.get('EMAIL_FILE_PATH') or ROOT / 'var' / 'outbox'}/")
    while all(child.poll() is None for child in children.values()):
        time.sleep(0.5)
    name, stopped = next((name, child) for name, child in children.items() if child.poll() is not None)
    if stopped is server and stopped.returncode and not port_is_free(port):
        raise PortInUse(port, "the site", "PORT")
    raise SystemExit(f"make run: {name} stopped (exit status {stopped.returncode}); stopped the rest")


def main() -> None:
    port = int(os.environ.get("PORT", "8000"))
    api_base = os.environ["STRIPE_API_BASE"].rstrip("/")
    site_url = os.environ["SITE_URL"]
    secret = os.environ.get("STRIPE_WEBHOOK_SECRET", "whsec_demo_offline")
    os.environ["STRIPE_WEBHOOK_SECRET"] = secret
    stripe_port = localstripe_port(api_base)
    # Nothing has started yet: a port in use ends the run here, with one line.
    # Each is held until the child that needs it starts.
    sockets = {
        "site": take_port(port, "the site", "PORT"),
        "localstripe": take_port(stripe_port, "localstripe", "LOCALSTRIPE_PORT"),
    }

    children: dict[str, subprocess.Popen] = {}
    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C even when started in background
    try:
        serve(
            port=port, api_base=api_base, site_url=site_url, secret=secret, sockets=sockets, children=children
        )
    except KeyboardInterrupt:
        pass
    except subprocess.CalledProcessError as exc:
        raise SystemExit(f"make run: {' '.join(exc.cmd[1:])} failed (exit status {exc.returncode})") from None
    finally:
        stop_all(children)


if __name__ == "__main__":
    main()
