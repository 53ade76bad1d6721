"""Celery task failures and retries, counted per task in the shared cache (Redis in production), so that
/metrics on any web host sees what every worker process counted.

Connected to Celery's `task_failure` and `task_retry` signals in `config/celery.py`. With the default
local-memory cache (development, tasks run in-process) the counts are the web process's own.
"""

from collections.abc import Iterable

from django.core.cache import cache

FAILURES = "failures"
RETRIES = "retries"


def _key(kind: str, task_name: str) -> str:
    return f"metrics:celery:{kind}:{task_name}"


def task_counter_increment(*, kind: str, task_name: str) -> None:
    """`add` creates the counter without an expiry if it is missing; `incr` is atomic in Redis."""
    key = _key(kind, task_name)
    cache.add(key, 0, timeout=None)
    try:
        cache.incr(key)
    except ValueError:  # evicted between the two calls: count this one afresh
        cache.add(key, 1, timeout=None)


def task_counters_read(*, kind: str, task_names: Iterable[str]) -> dict[str, int]:
    """Every named task's count (0 if it never failed), in one round trip."""
    names = list(task_names)
    found = cache.get_many([_key(kind, name) for name in names])
    return {name: int(found.get(_key(kind, name), 0)) for name in names}


def on_task_failure(sender=None, **_kwargs) -> None:
    task_counter_increment(kind=FAILURES, task_name=getattr(sender, "name", None) or "unknown")


def on_task_retry(sender=None, **_kwargs) -> None:
    task_counter_increment(kind=RETRIES, task_name=getattr(sender, "name", None) or "unknown")
