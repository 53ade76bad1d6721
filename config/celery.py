"""The Celery app. With no CELERY_BROKER_URL, tasks run in-process (eagerly) and the log says so."""

import logging
import os

from celery import Celery
from celery.signals import after_setup_logger, task_failure, task_retry
from django.conf import settings

from config import task_counters

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("reader_revenue")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Counted for /metrics in the shared cache, whichever worker process ran the task.
task_failure.connect(task_counters.on_task_failure)
task_retry.connect(task_counters.on_task_retry)


def warn_if_eager() -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        logging.getLogger("config.celery").warning(
            "CELERY_BROKER_URL is not set: Celery tasks run in-process (eagerly)."
        )


@after_setup_logger.connect
def _log_broker(**_kwargs) -> None:
    warn_if_eager()
