"""Celery tasks of checkout: thin wrappers that take plain values."""

from celery import shared_task
from django.conf import settings

from accounts.models import User
from accounts.tasks import send_templated_email


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def alert_staff_breaker_tripped(*, failed: int, attempts: int, window_minutes: int) -> int:
    """Tell staff (ADMINS and active staff accounts) that checkout tightened itself."""
    recipients = {address for _name, address in settings.ADMINS}
    recipients.update(User.objects.filter(is_staff=True, is_active=True).values_list("email", flat=True))
    for address in sorted(recipients):
        send_templated_email(
            to=address,
            template="emails/checkout_breaker",
            context={"failed": failed, "attempts": attempts, "window_minutes": window_minutes},
        )
    return len(recipients)
