"""Email delivery in the background: thin Celery task around Django's mail, retried with backoff."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_templated_email(self, *, to: str, template: str, context: dict, language: str = "en") -> None:
    """Render templates/<template>_subject.txt, _body.txt (and _body.html if present) and send.

    Context holds plain JSON values only, so the task is safe to retry and to serialise.
    """
    with translation.override(language):
        full_context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, **context}
        subject = render_to_string(f"{template}_subject.txt", full_context).strip()
        body = render_to_string(f"{template}_body.txt", full_context)
        message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
        message.send()
