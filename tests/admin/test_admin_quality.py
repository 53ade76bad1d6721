"""The admin as finance staff use it: money and its history are read-only for everyone, superusers too,
and every list is searchable and filterable without a query per row."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from django.contrib import admin
from django.db import models
from django.forms.models import model_to_dict
from django.urls import reverse

from membership.models import Membership, MembershipEvent
from newsletters.models import Newsletter, NewsletterSignup, SignupEvent
from payments.admin_mixins import ReadOnlyMixin
from payments.models import (
    Contribution,
    ImportRun,
    LedgerEntry,
    Payout,
    PayoutLine,
    ReconciliationReport,
    RefundRequest,
    WebhookEvent,
    WebhookEventAttempt,
)
from tests.factories import ContributionFactory, ContributorFactory, MembershipFactory

pytestmark = pytest.mark.django_db

# Money, Stripe's records and append-only history: nobody edits them by hand.
MONEY_MODELS = {
    Contribution,
    LedgerEntry,
    RefundRequest,
    Payout,
    PayoutLine,
    WebhookEvent,
    WebhookEventAttempt,
    ReconciliationReport,
    ImportRun,
    Membership,
    MembershipEvent,
    NewsletterSignup,
    SignupEvent,
}
# Money that staff keep by hand (settings, not records): the only models with amounts they may edit.
STAFF_KEPT_MONEY = {
    "checkout.AmountPreset",
    "membership.TierMinimum",
    "reporting.OtherRevenue",
    "engagement.Campaign",
}
OUR_APPS = {"accounts", "checkout", "engagement", "membership", "newsletters", "payments", "reporting"}
ROWS = 30
MAX_QUERIES = 12  # a page of 30 rows with a query per row would be far above


def registered_admins():
    """Every ModelAdmin (its class) and inline class of our apps, with the model it shows."""
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in OUR_APPS:
            continue
        yield model, type(model_admin)
        for inline in model_admin.inlines:
            yield inline.model, inline


REGISTERED = sorted({model for model, _ in registered_admins()} & set(admin.site._registry), key=str)


def holds_money(model) -> bool:
    return any(
        isinstance(field, models.BigIntegerField) and field.name.endswith("_minor")
        for field in model._meta.get_fields()
    )


def money_rows(count: int = ROWS) -> None:
    """`count` rows of each money model, in several currencies, states, campaigns and days."""
    start = datetime(2026, 11, 1, tzinfo=UTC)
    newsletter = Newsletter.objects.create(slug="morning", name="Morning")
    currencies = ("USD", "EUR", "JPY")
    for n in range(count):
        at = start + timedelta(days=n % 40, hours=n)
        currency = currencies[n % 3]
        campaign = f"campaign-{n % 4}"
        contributor = ContributorFactory(email=f"giver{n}@example.org", stripe_customer_id=f"cus_{n}")
        membership = MembershipFactory(
            contributor=contributor, currency=currency, stripe_subscription_id=f"sub_{n}", campaign=campaign
        )
        contribution = ContributionFactory(
            contributor=contributor,
            membership=membership,
            currency=currency,
            campaign=campaign,
            status=(Contribution.Status.SUCCEEDED, Contribution.Status.PENDING)[n % 2],
            stripe_payment_intent_id=f"pi_{n}",
            succeeded_at=at,
        )
        entry = LedgerEntry.objects.create(
            kind="charge",
            stripe_object_id=f"ch_{n}",
            amount_minor=2500,
            currency=currency,
            contribution=contribution,
            contributor=contributor,
            membership=membership,
            campaign=campaign,
            occurred_at=at,
        )
        RefundRequest.objects.create(
            contribution=contribution, amount_minor=100, currency=currency, stripe_refund_id=f"re_{n}"
        )
        payout = Payout.objects.create(
            stripe_payout_id=f"po_{n}", amount_minor=2400, currency=currency, status="paid", arrival_date=at
        )
        PayoutLine.objects.create(
            payout=payout,
            stripe_balance_transaction_id=f"txn_{n}",
            amount_minor=2500,
            currency=currency,
            ledger_entry=entry,
        )
        event = WebhookEvent.objects.create(
            stripe_event_id=f"evt_{n}", type="charge.succeeded", object_id=f"ch_{n}", payload="{}"
        )
        WebhookEventAttempt.objects.create(event=event, started_at=at)
        MembershipEvent.objects.create(
            membership=membership,
            kind=MembershipEvent.Kind.STARTED,
            occurred_at=at,
            cause=MembershipEvent.Cause.STRIPE,
            monthly_amount_minor=1000,
            currency=currency,
            interval="month",
            dedupe_key=f"started:{n}",
        )
        signup = NewsletterSignup.objects.create(
            newsletter=newsletter,
            email=f"reader{n}@example.org",
            status=NewsletterSignup.Status.CONFIRMED,
            consent_text="Yes, send it",
            consent_at=at,
            confirmed_at=at,
        )
        SignupEvent.objects.create(signup=signup, kind=SignupEvent.Kind.CONFIRMED, at=at, how="link")
    ReconciliationReport.objects.create(since=start)
    ImportRun.objects.create()


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def result_rows(page: str) -> list[str]:
    """The rows of a changelist's results table."""
    table = re.search(r'<table id="result_list">.*?<tbody>(.*?)</tbody>', page, re.S)
    return re.findall(r"<tr\b", table.group(1)) if table else []


def filter_links(page: str) -> list[str]:
    """One query string per filter in the sidebar (its first choice after "All"), and the date drill-down."""
    links = []
    sidebar = re.search(r'<nav id="changelist-filter".*?</nav>', page, re.S)
    for section in re.findall(r"<details.*?</details>", sidebar.group(0) if sidebar else "", re.S):
        choices = [unescape(href) for href in re.findall(r'<a href="(\?[^"]+)"', section)]
        if choices:
            links.append(choices[0])
    hierarchy = re.search(r'<nav class="toplinks">.*?</nav>', page, re.S)
    if hierarchy:
        links += [unescape(href) for href in re.findall(r'<a href="(\?[^"]+)"', hierarchy.group(0))][:1]
    return links


def test_every_money_model_in_the_admin_is_read_only():
    shown = {}
    for model, model_admin in registered_admins():
        shown.setdefault(model, []).append(model_admin)

    editable = [
        f"{model._meta.label} in {admin_class.__name__}"
        for model, admin_classes in shown.items()
        for admin_class in admin_classes
        if model in MONEY_MODELS and not issubclass(admin_class, ReadOnlyMixin)
    ]
    forgotten = [
        model._meta.label
        for model in shown
        if holds_money(model) and model not in MONEY_MODELS and model._meta.label not in STAFF_KEPT_MONEY
    ]

    assert editable == [], "these money pages must use payments.admin_mixins.ReadOnlyMixin"
    assert forgotten == [], "a new model with amounts: add it to MONEY_MODELS (read-only) or STAFF_KEPT_MONEY"
    assert set(shown) >= MONEY_MODELS, "every money model is shown in the admin, as a page or an inline"


@pytest.mark.parametrize("model", [model for model in REGISTERED if model in MONEY_MODELS])
def test_a_superuser_cannot_add_change_or_delete_a_money_row(admin_client, model):
    money_rows(count=1)
    row = model.objects.order_by("pk").first()
    before = model_to_dict(row)
    posted = {name: "1" for name in before} | {"_save": "Save"}

    add = admin_client.get(url(model, "add"))
    change = admin_client.get(url(model, "change", row.pk))
    post = admin_client.post(url(model, "change", row.pk), posted)
    delete = admin_client.get(url(model, "delete", row.pk))
    deleted = admin_client.post(url(model, "delete", row.pk), {"post": "yes"})
    listed = admin_client.get(url(model, "changelist"))

    assert (add.status_code, change.status_code, post.status_code) == (403, 200, 403)
    assert (delete.status_code, deleted.status_code) == (403, 403)
    assert 'name="_save"' not in change.content.decode()
    assert "delete_selected" not in listed.content.decode()
    row.refresh_from_db()
    assert model_to_dict(row) == before


def test_the_bulk_delete_action_refuses_money_rows(admin_client):
    money_rows(count=2)
    selected = list(Contribution.objects.values_list("pk", flat=True))

    admin_client.post(
        url(Contribution, "changelist"),
        {"action": "delete_selected", "_selected_action": selected, "post": "yes", "index": "0"},
    )

    assert Contribution.objects.count() == 2


def test_staff_still_refund_from_a_read_only_contribution(admin_client):
    contribution = ContributionFactory(status=Contribution.Status.SUCCEEDED, stripe_payment_intent_id="pi_r")

    change = admin_client.get(url(Contribution, "change", contribution.pk)).content.decode()
    refund = admin_client.get(reverse("admin:payments_contribution_refund", args=[contribution.pk]))
    listed = admin_client.get(url(Contribution, "changelist")).content.decode()

    assert reverse("admin:payments_contribution_refund", args=[contribution.pk]) in change
    assert refund.status_code == 200
    assert 'value="refund_in_full"' in listed


def test_staff_still_act_on_a_read_only_membership(admin_client):
    membership = MembershipFactory(stripe_subscription_id="sub_act")

    change = admin_client.get(url(Membership, "change", membership.pk)).content.decode()

    assert reverse("admin:membership_membership_act", args=[membership.pk, "cancel"]) in change


def test_staff_still_unsubscribe_a_read_only_sign_up(admin_client):
    money_rows(count=1)
    signup = NewsletterSignup.objects.get()

    admin_client.post(
        url(NewsletterSignup, "changelist"),
        {"action": "unsubscribe_selected", "_selected_action": [signup.pk], "index": "0"},
    )

    signup.refresh_from_db()
    assert signup.status == NewsletterSignup.Status.UNSUBSCRIBED


def test_a_contribution_is_found_by_its_receipt_reference(admin_client):
    wanted, other = ContributionFactory(), ContributionFactory()

    page = admin_client.get(url(Contribution, "changelist"), {"q": str(wanted.public_id)}).content.decode()

    assert f"/{wanted.pk}/change/" in page
    assert f"/{other.pk}/change/" not in page


@pytest.mark.parametrize(
    ("model", "term", "found"),
    [
        (Contribution, "pi_7", 1),
        (Contribution, "giver7@", 1),
        (LedgerEntry, "ch_7", 1),
        (RefundRequest, "re_7", 1),
        (Payout, "txn_7", 1),
        (WebhookEvent, "evt_7", 1),
        (Membership, "sub_7", 1),
        (MembershipEvent, "evt_none", 0),
        (NewsletterSignup, "reader7@example.org", 1),
    ],
)
def test_money_lists_are_searchable_by_email_and_stripe_ids(admin_client, model, term, found):
    money_rows(count=12)

    response = admin_client.get(url(model, "changelist"), {"q": term})

    assert response.status_code == 200
    assert len(result_rows(response.content.decode())) == found


@pytest.mark.parametrize("model", REGISTERED)
def test_every_list_loads_with_a_search_and_each_filter_in_a_bounded_number_of_queries(
    admin_client, django_assert_max_num_queries, model
):
    money_rows()
    changelist = url(model, "changelist")
    with django_assert_max_num_queries(MAX_QUERIES):
        first = admin_client.get(changelist)
    assert first.status_code == 200
    with django_assert_max_num_queries(MAX_QUERIES):
        assert admin_client.get(changelist, {"q": "example"}).status_code == 200

    for query in filter_links(first.content.decode()):
        with django_assert_max_num_queries(MAX_QUERIES):
            filtered = admin_client.get(changelist + query)
        assert filtered.status_code == 200, query  # a refused filter redirects to ?e=1


def test_big_lists_skip_the_full_count():
    big = (Contribution, LedgerEntry, WebhookEvent, MembershipEvent, NewsletterSignup)

    assert [admin.site._registry[model].show_full_result_count for model in big] == [False] * len(big)


def test_money_lists_filter_by_status_currency_campaign_and_date():
    wanted = {
        Contribution: {"status", "currency", "campaign"},
        LedgerEntry: {"kind", "currency", "campaign"},
        RefundRequest: {"status", "currency"},
        Payout: {"status", "currency"},
        Membership: {"status", "currency", "campaign"},
        MembershipEvent: {"kind", "currency"},
    }

    missing = {
        model._meta.label: needed - set(admin.site._registry[model].list_filter)
        for model, needed in wanted.items()
        if needed - set(admin.site._registry[model].list_filter)
    }
    undated = [model._meta.label for model in wanted if not admin.site._registry[model].date_hierarchy]

    assert (missing, undated) == ({}, [])
