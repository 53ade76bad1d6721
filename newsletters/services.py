"""Everything that changes a sign-up: the request (double opt-in), the confirmation, the unsubscribe
and the preference page's choices. Each writes an append-only SignupEvent with the consent text, and
queues its emails and the mailing tool's webhook on commit, so no network call runs in a transaction.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.tasks import send_templated_email
from newsletters.links import confirm_url, list_unsubscribe_headers, preferences_url, unsubscribe_url
from newsletters.models import Newsletter, NewsletterSignup, SignupEvent
from newsletters.tasks import deliver_signup_webhook

Status = NewsletterSignup.Status
Kind = SignupEvent.Kind


def normalised_email(email: str) -> str:
    """One sign-up per address and newsletter, whatever the case the reader typed it in."""
    return email.strip().lower()


def _record(*, signup: NewsletterSignup, kind: str, how: str, at, consent_text: str = "") -> SignupEvent:
    event = SignupEvent.objects.create(signup=signup, kind=kind, at=at, how=how, consent_text=consent_text)
    if kind != Kind.REQUESTED:
        transaction.on_commit(lambda: deliver_signup_webhook.delay(event_id=event.pk))
    return event


def signup_request(
    *, email: str, newsletters: Iterable[Newsletter], language: str, source: str, consent_text: str
) -> list[NewsletterSignup]:
    """Ask for these newsletters: a pending sign-up each (new consent on a repeated or renewed request)
    and one confirmation email for them all. Already confirmed ones are left as they are and get no
    email, so the page's answer (always the same) reveals nothing. Returns the pending sign-ups."""
    email = normalised_email(email)
    now = timezone.now()
    pending: list[NewsletterSignup] = []
    with transaction.atomic():
        for newsletter in newsletters:
            signup, created = NewsletterSignup.objects.select_for_update().get_or_create(
                newsletter=newsletter,
                email=email,
                defaults={
                    "language": language,
                    "source": source,
                    "consent_text": consent_text,
                    "consent_at": now,
                },
            )
            if signup.status == Status.CONFIRMED:
                continue
            if not created:
                signup.status = Status.PENDING
                signup.language, signup.source = language, source
                signup.consent_text, signup.consent_at = consent_text, now
                signup.save(
                    update_fields=["status", "language", "source", "consent_text", "consent_at", "updated_at"]
                )
            _record(signup=signup, kind=Kind.REQUESTED, how=source, at=now, consent_text=consent_text)
            pending.append(signup)
        if pending:
            context = {
                "email": email,
                "newsletter_names": [signup.newsletter.name for signup in pending],
                "confirm_url": confirm_url(public_ids=[str(signup.public_id) for signup in pending]),
                "max_age_days": settings.NEWSLETTER_CONFIRM_MAX_AGE_DAYS,
            }
            transaction.on_commit(
                lambda: send_templated_email.delay(
                    to=email, template="emails/newsletter_confirm", context=context, language=language
                )
            )
    return pending


def signup_confirm(*, public_ids: list[str], how: str = "link") -> list[NewsletterSignup]:
    """The reader followed the confirmation link: its pending sign-ups start counting, each with a welcome
    email that carries its one-click unsubscribe. Confirming twice changes nothing; a sign-up that was
    unsubscribed since stays unsubscribed (an old link is not a new consent). Returns the link's sign-ups."""
    now = timezone.now()
    with transaction.atomic():
        signups = list(
            NewsletterSignup.objects.select_for_update()
            .select_related("newsletter")
            .filter(public_id__in=public_ids)
            .order_by("pk")
        )
        for signup in signups:
            if signup.status != Status.PENDING:
                continue
            signup.status, signup.confirmed_at = Status.CONFIRMED, now
            signup.save(update_fields=["status", "confirmed_at", "updated_at"])
            _record(signup=signup, kind=Kind.CONFIRMED, how=how, at=now, consent_text=signup.consent_text)
            _queue_welcome(signup)
    return signups


def _queue_welcome(signup: NewsletterSignup) -> None:
    public_id = str(signup.public_id)
    context = {
        "newsletter_name": signup.newsletter.name,
        "frequency": signup.newsletter.frequency,
        "unsubscribe_url": unsubscribe_url(public_id=public_id),
        "preferences_url": preferences_url(email=signup.email),
    }
    headers = list_unsubscribe_headers(public_id=public_id)
    transaction.on_commit(
        lambda: send_templated_email.delay(
            to=signup.email,
            template="emails/newsletter_welcome",
            context=context,
            language=signup.language,
            headers=headers,
        )
    )


def signup_unsubscribe(*, public_id: str, how: str) -> NewsletterSignup | None:
    """Stop a sign-up (confirmed or still waiting). Twice is the same as once. None for an unknown id."""
    now = timezone.now()
    with transaction.atomic():
        signup = (
            NewsletterSignup.objects.select_for_update()
            .select_related("newsletter")
            .filter(public_id=public_id)
            .first()
        )
        if signup is None or signup.status == Status.UNSUBSCRIBED:
            return signup
        signup.status, signup.unsubscribed_at = Status.UNSUBSCRIBED, now
        signup.save(update_fields=["status", "unsubscribed_at", "updated_at"])
        _record(signup=signup, kind=Kind.UNSUBSCRIBED, how=how, at=now)
    return signup


def preferences_update(
    *, email: str, wanted: Iterable[Newsletter], language: str, consent_text: str
) -> list[NewsletterSignup]:
    """The preference page (reached from a signed link sent to this address, so the reader has shown it
    is theirs): newsletters ticked are confirmed at once, those unticked are unsubscribed."""
    email = normalised_email(email)
    wanted_ids = {newsletter.pk for newsletter in wanted}
    now = timezone.now()
    with transaction.atomic():
        current = {
            signup.newsletter_id: signup
            for signup in NewsletterSignup.objects.select_for_update()
            .filter(email=email)
            .select_related("newsletter")
        }
        for newsletter_id, signup in current.items():
            if newsletter_id not in wanted_ids and signup.status != Status.UNSUBSCRIBED:
                signup.status, signup.unsubscribed_at = Status.UNSUBSCRIBED, now
                signup.save(update_fields=["status", "unsubscribed_at", "updated_at"])
                _record(signup=signup, kind=Kind.UNSUBSCRIBED, how="preferences", at=now)
        for newsletter in Newsletter.objects.filter(pk__in=wanted_ids, is_active=True):
            existing = current.get(newsletter.pk)
            if existing is not None and existing.status == Status.CONFIRMED:
                continue
            signup = existing or NewsletterSignup(newsletter=newsletter, email=email)
            signup.status, signup.confirmed_at = Status.CONFIRMED, now
            signup.language, signup.source = language, "preferences"
            signup.consent_text, signup.consent_at = consent_text, now
            signup.save()
            _record(signup=signup, kind=Kind.REQUESTED, how="preferences", at=now, consent_text=consent_text)
            _record(signup=signup, kind=Kind.CONFIRMED, how="preferences", at=now, consent_text=consent_text)
    return list(NewsletterSignup.objects.filter(email=email).select_related("newsletter"))
