"""Hostile input on the staff pages (issue #15): reports, the payments event pages and the Django admin as a
superuser show markup, bidi text and emoji from every free-text field escaped and as written. The inventory
of those fields is in test_hostile_input.py."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from engagement.decisions import snapshot_forget
from membership.models import Benefit, Membership, MembershipEvent, Tier
from payments.models import Contribution, RefundRequest, WebhookEvent
from payments.webhooks import processing
from reporting.access import api_token_issue
from reporting.models import OtherRevenue
from tests.engagement.factories import BannerMessageFactory, BannerVariantFactory, CampaignFactory
from tests.factories import ContributionFactory, ContributorFactory, MembershipFactory, UserFactory
from tests.newsletters.factories import NewsletterFactory, SignupFactory
from tests.payments.webhooks import make_event
from tests.reporting.book import at, event, gift
from tests.security.payloads import HOSTILE, MARKUP, assert_escaped, assert_no_markup

pytestmark = pytest.mark.django_db


# Staff pages ------------------------------------------------------------------------------------------


def finance_staff(client) -> User:
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="finance"))
    client.force_login(user)
    return user


RANGE = {"start": "2026-03-01", "end": "2026-03-31"}


@pytest.mark.parametrize("report", ["reporting:ledger", "reporting:events"])
@pytest.mark.parametrize("text", HOSTILE)
def test_report_drilldowns_show_donor_names_escaped(client, text, report):
    contributor = ContributorFactory(name=text)
    gift(amount=2500, on=at("2026-03-05 10:00"), contributor=contributor)
    event(MembershipFactory(contributor=contributor), "started", on=at("2026-03-06 10:00"))
    finance_staff(client)

    assert_escaped(client.get(reverse(report), RANGE).content.decode(), text)


@pytest.mark.parametrize("by", ["source", "ref", "variant"])
@pytest.mark.parametrize("text", HOSTILE)
def test_report_dashboard_shows_attribution_values_escaped(client, text, by):
    value = fitted(Contribution, by, text)
    gift(amount=2500, on=at("2026-03-05 10:00"), **{by: value})
    finance_staff(client)

    assert_escaped(client.get(reverse("reporting:dashboard"), {**RANGE, "by": by}).content.decode(), value)


@pytest.mark.parametrize("report", ["reporting:dashboard", "reporting:ledger", "reporting:events"])
@pytest.mark.parametrize("text", MARKUP)
def test_report_pages_put_their_filters_out_escaped(client, text, report):
    finance_staff(client)
    query = {"start": text, "end": text, "currency": text, "kind": text, "campaign": text, "by": text}

    assert_no_markup(client.get(reverse(report), query).content.decode())


def stored_event(text: str) -> WebhookEvent:
    customer = {"id": "cus_hostile", "object": "customer", "name": text, "email": "reader@example.org"}
    processing.webhook_event_store(
        event=processing.gateway.parse_event(make_event("customer.updated", customer))
    )
    return WebhookEvent.objects.get(object_id="cus_hostile")


@pytest.mark.parametrize("text", MARKUP)
def test_payments_staff_event_pages_show_the_stored_payload_escaped(admin_client, text):
    stored = stored_event(text)

    for url in (reverse("payments_staff:events"), reverse("payments_staff:event-detail", args=[stored.pk])):
        assert_no_markup(admin_client.get(url).content.decode())


@pytest.mark.parametrize("parameter", ["type", "object", "status"])
@pytest.mark.parametrize("text", MARKUP)
def test_payments_staff_event_list_puts_its_filters_out_escaped(admin_client, text, parameter):
    assert_no_markup(admin_client.get(reverse("payments_staff:events"), {parameter: text}).content.decode())


# The Django admin, as a superuser: each model with every free-text field holding the payload ------------


def _banner(text: str):
    message = BannerMessageFactory(name=text, site=text, sections=text, tags=text)
    BannerVariantFactory(message=message, headline=text, body=text, primary_label=text, secondary_label=text)
    return message


def _membership_event(text: str):
    membership = MembershipFactory(contributor=ContributorFactory(name=text))
    return MembershipEvent.objects.create(
        membership=membership,
        kind="canceled",
        occurred_at=timezone.now(),
        cause="reader",
        monthly_amount_minor=0,
        currency="USD",
        interval="month",
        reason_text=text,
        dedupe_key="hostile",
    )


ATTRIBUTED = (
    "source",
    "ref",
    "variant",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
)


def fitted(model, field: str, text: str) -> str:
    """As much of the text as the column holds (PostgreSQL refuses more; SQLite would keep it all)."""
    return text[: model._meta.get_field(field).max_length]


def attributed(model, text: str) -> dict[str, str]:
    return {field: fitted(model, field, text) for field in ATTRIBUTED}


ADMIN_ROWS = {
    "payments.contributor": lambda text: ContributorFactory(name=text),
    "payments.contribution": lambda text: ContributionFactory(
        dedication=text, contributor=ContributorFactory(name=text), **attributed(Contribution, text)
    ),
    "membership.membership": lambda text: MembershipFactory(
        contributor=ContributorFactory(name=text), **attributed(Membership, text)
    ),
    "membership.membershipevent": _membership_event,
    "membership.tier": lambda text: Tier.objects.create(name=text, description=text, position=1),
    "membership.benefit": lambda text: Benefit.objects.create(code="b", name=text, description=text),
    "engagement.campaign": lambda text: CampaignFactory(name=text, headline=text, story=text, image_alt=text),
    "engagement.bannermessage": _banner,
    "newsletters.newsletter": lambda text: NewsletterFactory(name=text, description=text, frequency=text),
    "newsletters.newslettersignup": lambda text: SignupFactory(newsletter=NewsletterFactory(name=text)),
    "payments.refundrequest": lambda text: RefundRequest.objects.create(
        contribution=ContributionFactory(status="succeeded"), amount_minor=100, currency="USD", reason=text
    ),
    "accounts.user": lambda text: UserFactory(name=text),
    "reporting.otherrevenue": lambda text: OtherRevenue.objects.create(
        month=datetime.date(2026, 3, 1), category="grants", amount_minor=100, currency="USD", note=text
    ),
    "reporting.staffapitoken": lambda text: api_token_issue(user=UserFactory(is_staff=True), name=text)[0],
    "payments.webhookevent": stored_event,
}
# Where the payload sits in JSON (the stored Stripe event), escape(text) is not shown as such.
JSON_SHOWN = {"payments.webhookevent"}


@pytest.mark.parametrize("text", HOSTILE)
def test_admin_banner_preview_shows_the_message_name_escaped(admin_client, text):
    snapshot_forget()
    message = _banner(text)

    response = admin_client.get(reverse("admin:engagement_bannermessage_preview", args=[message.pk]))
    snapshot_forget()

    assert response.status_code == 200
    assert_escaped(response.content.decode(), text)


def _admin_url(row, view: str) -> str:
    meta = row._meta
    args = [row.pk] if view == "change" else []
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", ADMIN_ROWS)
@pytest.mark.parametrize("text", MARKUP)
def test_admin_changelist_shows_hostile_text_escaped(admin_client, text, model):
    row = ADMIN_ROWS[model](text)

    response = admin_client.get(_admin_url(row, "changelist"))

    assert response.status_code == 200
    assert_no_markup(response.content.decode())


@pytest.mark.parametrize("model", ADMIN_ROWS)
@pytest.mark.parametrize("text", HOSTILE)
def test_admin_change_page_shows_hostile_text_escaped(admin_client, text, model):
    row = ADMIN_ROWS[model](text)

    response = admin_client.get(_admin_url(row, "change"))

    assert response.status_code == 200
    html = response.content.decode()
    if model in JSON_SHOWN:
        assert_no_markup(html)
    else:
        assert_escaped(html, text)
