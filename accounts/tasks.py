"""Email delivery in the background: thin Celery task around Django's mail, retried with backoff."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Engine, TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


def render_text(template_name: str, context: dict) -> str:
    """Render a plain-text template with autoescape off: a text/plain email is not HTML, so a name like
    `O'Brien & Sons` must read as written, not as `O&#x27;Brien &amp; Sons`. Every .txt the email task
    renders goes through here, so no template has to remember `{% autoescape off %}`."""
    return Engine.get_default().get_template(template_name).render(Context(context, autoescape=False))


def one_line(text: str) -> str:
    """A header value on one line: line breaks (from a name, an amount, a translation) become spaces, so
    nothing in the value can start a header of its own and Django never raises BadHeaderError for it."""
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def _has_line_break(value: str) -> bool:
    return "\r" in value or "\n" in value


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_templated_email(
    self, *, to: str, template: str, context: dict, language: str = "en", headers: dict | None = None
) -> None:
    """Render templates/<template>_subject.txt, _body.txt (and _body.html if present) and send.

    Context holds plain JSON values only, so the task is safe to retry and to serialise. The text
    templates are rendered unescaped, the HTML body escaped. A recipient with a line break in it (an
    email from Stripe or an import; checkout validates its own) would be a header of its own: it is
    logged and not sent to, since retrying cannot help. `headers` are extra mail headers (e.g. RFC 8058's
    List-Unsubscribe), each kept on one line.
    """
    if _has_line_break(to):
        logger.error("Not sending %s: the recipient %r has a line break", template, to)
        return
    with translation.override(language):
        full_context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, **context}
        subject = one_line(render_text(f"{template}_subject.txt", full_context))
        body = render_text(f"{template}_body.txt", full_context)
        extra = {name: one_line(value) for name, value in (headers or {}).items()}
        message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [to], headers=extra)
        try:
            html = render_to_string(f"{template}_body.html", full_context)
        except TemplateDoesNotExist:
            pass
        else:
            message.attach_alternative(html, "text/html")
        message.send()
