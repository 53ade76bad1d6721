"""Production gunicorn settings: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Measured with `make bench` on 2-core machines (bench/README.md): one gthread worker per core with
4 threads each answered the most requests with the shortest tail; threads overlap the waits on
PostgreSQL and Redis and keep Stripe's and readers' connections alive, while more than 4 made
requests queue for the GIL. Environment variables override each default.

Before any worker starts, `on_starting` refuses an address where something already answers and an app
that does not load (settings, database, static files not collected), each with one line and exit 1.
"""

import gc
import os
import socket
import subprocess
import sys

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 5
# One listening socket per worker (SO_REUSEPORT): the kernel spreads new connections evenly. With one
# shared socket, whichever worker wakes first accepts, and kept-alive clients (a load balancer,
# Stripe, wrk) ended up 30 on one worker and 2 on the other, which then queued on one core.
# So a second gunicorn started on the same address by mistake would not fail to bind: it would start and
# silently take part of the traffic, with whatever code and settings it has. `on_starting` refuses that.
reuse_port = True
backlog = 2048
# Stripe gives up on a webhook after a few seconds; a request still running after this is stuck.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None


def post_worker_init(worker) -> None:
    """Move everything loaded at start-up (Django, the app, the SDKs) out of the garbage collector's
    reach: a full collection then walks only what requests create, which removed most of the
    100-200 ms pauses that set the webhook's p99 latency in the benchmark."""
    gc.collect()
    gc.freeze()


def _answering(address: tuple[str, int] | str | int) -> bool:
    """Whether something accepts connections at a bind address: (host, port), a Unix socket path, or an
    inherited file descriptor (never probed: whoever handed it over meant us to use it)."""
    if isinstance(address, int):
        return False
    try:
        if isinstance(address, str):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                probe.settimeout(1)
                probe.connect(address)
        else:
            host, port = address
            wildcard_to_loopback = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}  # noqa: S104 - a probe
            host = wildcard_to_loopback.get(host, host)
            socket.create_connection((host, port), timeout=1).close()
    except OSError:  # refused, unreachable or timed out: nobody is serving there
        return False
    return True


def _app_import_error(server) -> str | None:
    """Import the app once in a child process, as each worker will, and return what it printed if it
    failed. Bad configuration (a variable, the database, static files not collected) then stops the
    master with the app's one line; a worker that exits at import would be restarted for ever instead.
    A child, so the master never holds Django, its connections or its threads across the fork."""
    module = str(getattr(server.app, "app_uri", None) or "config.wsgi").split(":", 1)[0]
    load = "import importlib, sys; importlib.import_module(sys.argv[1])"
    result = subprocess.run(
        [sys.executable, "-c", load, module], capture_output=True, text=True, timeout=300, check=False
    )
    if result.returncode == 0:
        return None
    return result.stderr.strip() or f"importing {module} failed with exit status {result.returncode}"


def _refuse(server, reason: str) -> None:
    print(reason, file=sys.stderr)
    if server.pidfile is not None:
        server.pidfile.unlink()
    sys.exit(1)


def on_starting(server) -> None:
    """Start only where nothing answers yet, and only an app that loads.

    With reuse_port the kernel would let this gunicorn listen beside another on the same address and
    share its traffic, silently; so connect first. A USR2 upgrade (GUNICORN_PID) and socket activation
    (LISTEN_FDS) take over sockets on purpose and are not probed. Two gunicorns started at the very
    same moment can still both pass; a process manager starts one."""
    if not (os.environ.get("GUNICORN_PID") or os.environ.get("LISTEN_FDS")):
        taken = [address for address in server.cfg.address if _answering(address)]
        if taken:
            where = ", ".join(a if isinstance(a, str) else f"{a[0]}:{a[1]}" for a in taken)
            _refuse(
                server,
                f"Refusing to start: something already answers at {where} (another gunicorn?); stop it or "
                "set GUNICORN_BIND to a free address",
            )
    if (error := _app_import_error(server)) is not None:
        _refuse(server, error)
