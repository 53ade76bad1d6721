"""Celery tasks of the payments app: thin wrappers that take ids.

Webhook processing, the periodic sweep and reconciliation; and emails about contributions,
which claim their row first so that each is sent at most once.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.tasks import send_templated_email
from membership.models import Membership
from payments.models import Contribution
from payments.money import format_money
from payments.webhooks import processing

logger = logging.getLogger(__name__)

RETRY = {"acks_late": True, "autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 8}


def _how_to_reach_us() -> dict:
    """Where a contributor manages or cancels, whom to ask, and who we are (every email says it)."""
    return {
        "manage_url": f"{settings.SITE_URL}/accounts/login/",
        "support_email": settings.DEFAULT_FROM_EMAIL,
        "organisation": settings.ORGANISATION_DETAILS,
    }


@shared_task(**RETRY)
def send_contribution_receipt(*, contribution_id: int) -> bool:
    """The receipt for a succeeded contribution; the row is claimed first, so a second run sends nothing."""
    with transaction.atomic():
        contribution = (
            Contribution.objects.select_for_update(of=("self",))
            .select_related("contributor", "membership")
            .filter(pk=contribution_id, receipt_sent_at__isnull=True, status=Contribution.Status.SUCCEEDED)
            .first()
        )
        if contribution is None:
            return False
        paid_at = contribution.succeeded_at or timezone.now()
        send_templated_email(
            to=contribution.contributor.email,
            template="emails/receipt",
            context={
                "name": contribution.contributor.name,
                "amount": format_money(contribution.amount_minor, contribution.currency),
                "fee_covered": format_money(contribution.fee_covered_minor, contribution.currency)
                if contribution.fee_covered_minor
                else "",
                "date": paid_at.date().isoformat(),
                "card_brand": contribution.card_brand.title(),
                "card_last4": contribution.card_last4,
                "frequency": contribution.frequency,
                "reference": str(contribution.public_id),
                **_how_to_reach_us(),
            },
        )
        contribution.receipt_sent_at = timezone.now()
        contribution.save(update_fields=["receipt_sent_at", "updated_at"])
    return True


@shared_task(**RETRY)
def send_membership_welcome(*, membership_id: int) -> bool:
    """Welcome a new member once, whichever payment of the membership reaches us first."""
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("contributor")
            .filter(pk=membership_id, welcome_sent_at__isnull=True)
            .first()
        )
        if membership is None:
            return False
        send_templated_email(
            to=membership.contributor.email,
            template="emails/membership_welcome",
            context={
                "name": membership.contributor.name,
                "amount": format_money(membership.amount_minor, membership.currency),
                "interval": membership.interval,
                **_how_to_reach_us(),
            },
        )
        membership.welcome_sent_at = timezone.now()
        membership.save(update_fields=["welcome_sent_at", "updated_at"])
    return True


@shared_task(**RETRY)
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


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=settings.WEBHOOK_MAX_RETRIES,
)
def process_webhook_event(self, stripe_event_id: str) -> str:
    """Process one stored Stripe event; a failure is retried with backoff, the last one marks it failed."""
    return processing.webhook_event_process(
        stripe_event_id=stripe_event_id, final_attempt=self.request.retries >= self.max_retries
    )


@shared_task(acks_late=True)
def process_webhook_events(stripe_event_ids: list[str]) -> dict[str, int]:
    """A batch published by the webhook view: each event that fails is retried alone, with backoff."""
    outcomes: dict[str, int] = {}
    for stripe_event_id in stripe_event_ids:
        try:
            outcome = processing.webhook_event_process(stripe_event_id=stripe_event_id, final_attempt=False)
        except Exception:
            process_webhook_event.apply_async(args=[stripe_event_id], countdown=5)
            outcome = "retrying"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@shared_task(acks_late=True)
def sweep_unprocessed_webhook_events() -> dict[str, int]:
    """Periodic (beat): events stored while the broker was down, or whose task was lost."""
    return processing.webhook_events_sweep()


@shared_task(acks_late=True)
def reconcile_stripe_nightly() -> int:
    """Nightly (beat): reconcile the last RECONCILE_WINDOW_DAYS; returns the report's id."""
    from payments import reconciliation

    return reconciliation.reconcile_stripe(since=reconciliation.default_since()).pk
