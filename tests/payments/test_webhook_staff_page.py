"""The staff reconciliation page: event log with filters, one event's history, re-run, latest report."""

import pytest
from django.urls import reverse
from django.utils import timezone

from payments.models import ReconciliationReport, WebhookEvent
from payments.webhooks import processing
from tests.factories import ContributionFactory, UserFactory
from tests.payments.webhooks import make_event

pytestmark = pytest.mark.django_db


def _store(event_type: str, object_id: str, status: str = "received") -> WebhookEvent:
    event = make_event(event_type, {"id": object_id})
    processing.webhook_event_store(event=processing.gateway.parse_event(event))
    stored = WebhookEvent.objects.get(stripe_event_id=event["id"])
    WebhookEvent.objects.filter(pk=stored.pk).update(status=status)
    return stored


def test_readers_cannot_see_the_event_log(client):
    client.force_login(UserFactory())

    response = client.get(reverse("payments_staff:events"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_event_log_filters_by_type_state_and_object(admin_client):
    _store("invoice.paid", "in_wanted", status="failed")
    _store("invoice.paid", "in_other", status="processed")
    _store("payout.paid", "po_1", status="failed")

    response = admin_client.get(
        reverse("payments_staff:events"), {"type": "invoice.paid", "status": "failed", "object": "in_wanted"}
    )

    assert response.status_code == 200
    assert [event.object_id for event in response.context["page"]] == ["in_wanted"]


@pytest.mark.parametrize("parameter", ["type", "object", "status"])
def test_event_log_ignores_a_filter_with_a_nul_and_says_so(admin_client, parameter):
    _store("invoice.paid", "in_1")

    response = admin_client.get(reverse("payments_staff:events"), {parameter: "invoice\x00paid"})

    assert response.status_code == 200
    assert [event.object_id for event in response.context["page"]] == ["in_1"]
    notes = [str(message) for message in response.context["messages"]]
    assert notes == [f"The filter “{parameter}” held control characters and was ignored."]


def test_event_log_keeps_the_other_filters_when_one_is_ignored(admin_client):
    _store("invoice.paid", "in_wanted")
    _store("payout.paid", "po_1")

    response = admin_client.get(reverse("payments_staff:events"), {"type": "invoice.paid", "object": "\x00"})

    assert response.status_code == 200
    assert [event.object_id for event in response.context["page"]] == ["in_wanted"]


def test_event_log_is_paginated(admin_client):
    for number in range(55):
        _store("plan.created", f"plan_{number}")

    first = admin_client.get(reverse("payments_staff:events"))
    second = admin_client.get(reverse("payments_staff:events"), {"page": 2})

    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 5


def test_event_page_shows_payload_and_history(admin_client):
    stored = _store("plan.created", "plan_seen")
    processing.webhook_event_process(stripe_event_id=stored.stripe_event_id, final_attempt=True)

    response = admin_client.get(reverse("payments_staff:event-detail", args=[stored.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "plan_seen" in body
    assert "no handler for plan.created" in body


def test_failed_event_is_re_run_from_the_staff_page(admin_client):
    stored = _store("plan.created", "plan_failed", status="failed")

    response = admin_client.post(reverse("payments_staff:event-rerun", args=[stored.pk]))

    assert response.status_code == 302
    stored.refresh_from_db()
    assert stored.status == WebhookEvent.Status.IGNORED
    assert stored.attempts_log.get().trigger == "staff"


def test_re_run_needs_a_post(admin_client):
    stored = _store("plan.created", "plan_failed", status="failed")

    assert admin_client.get(reverse("payments_staff:event-rerun", args=[stored.pk])).status_code == 405


def test_latest_reconciliation_report_and_its_differences_are_shown(admin_client):
    ReconciliationReport.objects.create(
        since=timezone.now(), differences={"charges EUR": {"stripe": 1200, "ledger": 1000}}
    )

    response = admin_client.get(reverse("payments_staff:events"))

    body = response.content.decode()
    assert "charges EUR" in body
    assert "1200" in body


@pytest.mark.parametrize(
    "model",
    [
        "webhookevent",
        "ledgerentry",
        "contribution",
        "refundrequest",
        "payout",
        "reconciliationreport",
        "importrun",
    ],
)
def test_admin_lists_render(admin_client, model):
    assert admin_client.get(reverse(f"admin:payments_{model}_changelist")).status_code == 200


def test_event_admin_page_shows_the_processing_history(admin_client):
    stored = _store("plan.created", "plan_admin")
    processing.webhook_event_process(stripe_event_id=stored.stripe_event_id, final_attempt=True)

    response = admin_client.get(reverse("admin:payments_webhookevent_change", args=[stored.pk]))

    assert response.status_code == 200
    assert "no handler for plan.created" in response.content.decode()


def test_contribution_admin_page_offers_a_refund(admin_client):
    contribution = ContributionFactory(status="succeeded")

    response = admin_client.get(reverse("admin:payments_contribution_change", args=[contribution.pk]))

    assert reverse("admin:payments_contribution_refund", args=[contribution.pk]) in response.content.decode()
