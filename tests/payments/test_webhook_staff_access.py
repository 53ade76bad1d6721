"""Who may read the staff event pages: the admin's rule for Stripe events, not merely a staff account.

Event payloads carry readers' names and email addresses, so both pages (the log and one event) ask
for the permission the admin's event list asks for: `payments.view_webhookevent` (or the change
permission, which the admin also accepts and which re-run needs).
"""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from payments.models import WebhookEvent
from payments.webhooks import processing
from tests.factories import UserFactory
from tests.payments.webhooks import make_event

pytestmark = pytest.mark.django_db

READER_EMAIL = "private.reader@example.org"


@pytest.fixture
def event() -> WebhookEvent:
    stripe_event = make_event("customer.updated", {"id": "cus_private", "email": READER_EMAIL})
    processing.webhook_event_store(event=processing.gateway.parse_event(stripe_event))
    return WebhookEvent.objects.get(stripe_event_id=stripe_event["id"])


def _staff(*codenames: str):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="payments", codename__in=codenames)
    )
    return user


def _pages(event: WebhookEvent) -> dict[str, str]:
    return {
        "log": reverse("payments_staff:events"),
        "event": reverse("payments_staff:event-detail", args=[event.pk]),
    }


@pytest.mark.parametrize("page", ["log", "event"])
def test_a_visitor_who_is_not_signed_in_is_sent_to_the_login_page(client, event, page):
    response = client.get(_pages(event)[page])

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("page", ["log", "event"])
def test_staff_without_the_event_permission_get_403_and_no_payload(client, event, page):
    client.force_login(_staff())

    response = client.get(_pages(event)[page])

    assert response.status_code == 403
    assert READER_EMAIL not in response.content.decode()


@pytest.mark.parametrize("page", ["log", "event"])
def test_staff_without_the_event_permission_are_refused_by_the_admin_too(client, event, page):
    """The rule the staff pages copy: the admin's event pages refuse the same account."""
    client.force_login(_staff())
    admin_pages = {
        "log": reverse("admin:payments_webhookevent_changelist"),
        "event": reverse("admin:payments_webhookevent_change", args=[event.pk]),
    }

    assert client.get(admin_pages[page]).status_code == 403


@pytest.mark.parametrize("page", ["log", "event"])
def test_staff_with_the_view_permission_read_the_pages(client, event, page):
    client.force_login(_staff("view_webhookevent"))

    response = client.get(_pages(event)[page])

    assert response.status_code == 200
    assert "cus_private" in response.content.decode()


def test_staff_with_the_view_permission_read_the_payload_but_cannot_re_run(client, event):
    client.force_login(_staff("view_webhookevent"))

    detail = client.get(_pages(event)["event"])
    rerun = client.post(reverse("payments_staff:event-rerun", args=[event.pk]))

    assert READER_EMAIL in detail.content.decode()
    assert not detail.context["can_rerun"]
    assert rerun.status_code == 403
    event.refresh_from_db()
    assert event.attempts_log.count() == 0


def test_staff_with_the_change_permission_re_run_and_land_on_the_event_page(client, event):
    client.force_login(_staff("change_webhookevent"))

    rerun = client.post(reverse("payments_staff:event-rerun", args=[event.pk]), follow=True)

    assert rerun.status_code == 200
    assert rerun.redirect_chain == [(_pages(event)["event"], 302)]
    assert event.attempts_log.get().trigger == "staff"


@pytest.mark.parametrize("page", ["log", "event"])
def test_a_superuser_reads_the_pages(admin_client, event, page):
    response = admin_client.get(_pages(event)[page])

    assert response.status_code == 200
    assert "cus_private" in response.content.decode()
