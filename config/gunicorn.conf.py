"""Production gunicorn settings: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Measured with `make bench` on 2-core machines (bench/README.md): one gthread worker per core with
4 threads each answered the most requests with the shortest tail; threads overlap the waits on
PostgreSQL and Redis and keep Stripe's and readers' connections alive, while more than 4 made
requests queue for the GIL. Environment variables override each default.
"""

import gc
import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 5
# One listening socket per worker (SO_REUSEPORT): the kernel spreads new connections evenly. With one
# shared socket, whichever worker wakes first accepts, and kept-alive clients (a load balancer,
# Stripe, wrk) ended up 30 on one worker and 2 on the other, which then queued on one core.
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
