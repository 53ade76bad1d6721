"""Hostile input on pages (issue #15): markup, bidi controls and emoji typed into every free-text field a
reader or staff member fills are shown escaped and as written, on the reader's pages, the staff pages and the
Django admin. Here the reader's pages; the staff pages and the admin in test_hostile_staff_pages.py, the
CSVs, emails and PDFs in test_hostile_exports.py, the browser's view in tests/browser/test_hostile_input.py.

`INVENTORY` is the specification: each free-text field, who fills it and how, and where it is shown. The
first test keeps it complete: a new CharField or TextField must be listed here or in `NOT_FREE_TEXT`.
"""

import datetime

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from engagement.decisions import snapshot_forget
from membership.models import Benefit, SaveOffer, Tier, TierMinimum
from tests.checkout.test_support_page import own_contribution
from tests.engagement.factories import BannerVariantFactory, CampaignFactory
from tests.factories import ContributionFactory, ContributorFactory, MembershipFactory, UserFactory
from tests.newsletters.factories import NewsletterFactory
from tests.security.payloads import HOSTILE, MARKUP, assert_escaped

pytestmark = pytest.mark.django_db

READER, STAFF = "reader", "staff"
ATTRIBUTION = ("source", "ref", "variant")
UTM = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
# (field, who fills it, through what, where it is shown)
INVENTORY = [
    (
        "payments.Contributor.name",
        READER,
        "checkout API `name`",
        "portal receipt and statement (pages, PDFs), reporting ledger and events (finance), emails, admin",
    ),
    ("payments.Contributor.email", READER, "checkout API `email`", "portal, reporting CSVs, admin"),
    ("payments.Contribution.dedication", READER, "checkout API `dedication`", "thank-you page, admin"),
    *(
        (
            f"payments.Contribution.{name}",
            READER,
            "checkout API (from the page's query string)",
            "reporting dashboard by source/ref/variant, admin",
        )
        for name in ATTRIBUTION
    ),
    *(
        (f"payments.Contribution.{name}", READER, "checkout API (from the page's query string)", "admin")
        for name in UTM
    ),
    (
        "payments.Contribution.campaign",
        READER,
        "checkout API `campaign` (refused unless a slug)",
        "reporting ledger and CSV, portal history, admin",
    ),
    ("payments.LedgerEntry.campaign", READER, "copied from its contribution", "reporting ledger and CSV"),
    *(
        (f"membership.Membership.{name}", READER, "checkout API, as its first contribution", "admin")
        for name in ("campaign", *ATTRIBUTION, *UTM)
    ),
    ("membership.SaveOffer.reason_text", READER, "portal cancel form, one-click cancel link page", "nowhere"),
    (
        "membership.MembershipEvent.reason_text",
        READER,
        "copied from the save offer on cancelling",
        "admin (membership history, events)",
    ),
    ("accounts.User.name", STAFF, "admin", "admin"),
    ("accounts.User.email", READER, "allauth sign-up", "admin, account pages"),
    ("payments.RefundRequest.reason", STAFF, "admin refund form", "admin"),
    (
        "payments.WebhookEvent.payload",
        READER,
        "Stripe event (names and emails the reader gave Stripe)",
        "staff event pages, admin",
    ),
    ("membership.Tier.name", STAFF, "admin", "support page, thank-you page, portal, emails, admin"),
    ("membership.Tier.description", STAFF, "admin", "support page, admin"),
    ("membership.Benefit.name", STAFF, "admin", "support page, thank-you page, welcome email, admin"),
    ("membership.Benefit.description", STAFF, "admin", "admin"),
    ("engagement.Campaign.name", STAFF, "admin", "campaign page, admin"),
    ("engagement.Campaign.headline", STAFF, "admin", "campaign page, admin"),
    ("engagement.Campaign.story", STAFF, "admin", "campaign page, admin"),
    ("engagement.Campaign.image_alt", STAFF, "admin", "campaign page, admin"),
    ("engagement.BannerMessage.name", STAFF, "admin", "admin, banner preview"),
    *(
        (f"engagement.BannerMessage.{name}", STAFF, "admin (targeting)", "admin")
        for name in ("site", "countries", "sections", "tags")
    ),
    *(
        (
            f"engagement.BannerVariant.{name}",
            STAFF,
            "admin (inline)",
            "banner API JSON (banner.js sets textContent), admin",
        )
        for name in ("headline", "body", "primary_label", "secondary_label")
    ),
    (
        "newsletters.Newsletter.name",
        STAFF,
        "admin",
        "newsletter forms and pages, welcome email subject, admin",
    ),
    ("newsletters.Newsletter.description", STAFF, "admin", "newsletter forms, admin"),
    ("newsletters.Newsletter.frequency", STAFF, "admin", "newsletter forms, admin"),
    ("newsletters.NewsletterSignup.email", READER, "sign-up form", "sign-ups CSV and API, admin"),
    ("reporting.OtherRevenue.note", STAFF, "admin", "admin"),
    ("reporting.StaffApiToken.name", STAFF, "admin", "admin"),
    ("reporting.DailyAttributionRollup.value", READER, "copied from the attribution", "reporting dashboard"),
]
# Text no one types: ids, codes, digests, currencies, colours, choices made elsewhere, or text we write.
NOT_FREE_TEXT = {
    "accounts.User": {"password", "first_name", "last_name"},  # the last two unused (AbstractUser's)
    "payments.Contributor": {"stripe_customer_id", "language"},
    "payments.Contribution": {
        "currency",
        "stripe_payment_intent_id",
        "stripe_invoice_id",
        "stripe_charge_id",
        "stripe_payment_method_id",
        "card_brand",
        "card_last4",
        "failure_code",
        "failure_message",
        "idempotency_key",
        "session_key",
    },
    "payments.WebhookEvent": {
        "stripe_event_id",
        "type",
        "api_version",
        "object_id",
        "last_error",
        "claimed_by",
    },
    "payments.WebhookEventAttempt": {"trigger", "note", "error", "traceback"},
    "payments.LedgerEntry": {
        "stripe_object_id",
        "currency",
        "settlement_currency",
        "stripe_balance_transaction_id",
    },
    "payments.RefundRequest": {"currency", "stripe_refund_id", "error"},
    "payments.Payout": {"stripe_payout_id", "currency", "status"},
    "payments.PayoutLine": {"stripe_balance_transaction_id", "type", "currency"},
    "membership.UsedLink": {"token_digest", "action"},
    "membership.ReplacedSubscription": {"stripe_subscription_id"},
    "membership.MembershipEvent": {
        "stripe_event_id",
        "job",
        "currency",
        "interval",
        "previous_interval",
        "reason",
        "stripe_invoice_id",
        "dedupe_key",
    },
    "membership.MembershipNotice": {"occasion"},
    "membership.Membership": {
        "stripe_subscription_id",
        "stripe_plan_id",
        "currency",
        "stripe_payment_method_id",
        "card_brand",
        "card_last4",
    },
    "membership.Benefit": {"code"},  # a slug
    "membership.TierMinimum": {"currency"},
    "checkout.AmountPreset": {"currency"},
    "engagement.Campaign": {"slug", "goal_currency"},
    "engagement.BannerMessage": {"slug"},
    "engagement.BannerVariant": {
        "key",
        "background_colour",
        "text_colour",
        "button_colour",
        "button_text_colour",
        "bandit_explanation",
    },
    "engagement.LiveFigure": {"name"},
    "newsletters.Newsletter": {"slug"},
    "newsletters.NewsletterSignup": {"language", "consent_text", "source"},  # ours; the form's known sources
    "newsletters.SignupEvent": {"how", "consent_text"},
    "reporting.StaffApiToken": {"prefix", "key_hash"},
    "reporting.DailyLedgerRollup": {"kind", "frequency"},
    "reporting.DailyAttributionRollup": {"frequency"},
}


def _is_currency(name: str) -> bool:
    return name == "currency" or name.endswith("_currency")


OUR_APPS = ("accounts", "payments", "membership", "checkout", "engagement", "newsletters", "reporting")


def test_every_text_field_of_our_models_is_in_the_inventory_or_is_not_free_text():
    listed = {field for field, *_rest in INVENTORY}
    unlisted = []
    for label in OUR_APPS:
        for model in apps.get_app_config(label).get_models():
            name = f"{label}.{model.__name__}"
            for field in model._meta.get_fields():
                text = isinstance(field, models.CharField | models.TextField)
                if not text or field.choices or _is_currency(field.name):
                    continue
                known = f"{name}.{field.name}" in listed or field.name in NOT_FREE_TEXT.get(name, set())
                if not known:
                    unlisted.append(f"{name}.{field.name}")
    assert unlisted == []


# Reader pages -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_thank_you_page_shows_the_dedication_escaped(client, text):
    contribution = own_contribution(client, status="succeeded", dedication=text)

    assert_escaped(client.get(f"/support/thank-you/{contribution.public_id}/").content.decode(), text)


@pytest.mark.parametrize("field", ["name", "headline", "story", "image_alt"])
@pytest.mark.parametrize("text", HOSTILE)
def test_campaign_page_shows_the_campaign_texts_escaped(client, text, field):
    campaign = CampaignFactory(image="campaigns/front.jpg", **{field: text})

    assert_escaped(client.get(f"/support/{campaign.slug}/").content.decode(), text)


@pytest.mark.parametrize("text", HOSTILE)
def test_support_page_shows_tier_names_descriptions_and_benefits_escaped(client, text):
    tier = Tier.objects.create(name=f"T {text}", description=f"D {text}", position=1)
    tier.benefits.set([Benefit.objects.create(code="b", name=f"B {text}")])
    TierMinimum.objects.create(tier=tier, currency="USD", monthly_minimum_minor=500)

    page = client.get("/support/?currency=USD&frequency=monthly").content.decode()

    for shown in (f"T {text}", f"D {text}", f"B {text}"):
        assert_escaped(page, shown)


@pytest.mark.parametrize("parameter", ["ref", "variant", "utm_source", "utm_campaign", "utm_content"])
@pytest.mark.parametrize("text", MARKUP)
def test_support_page_puts_attribution_from_the_query_string_out_escaped(client, text, parameter):
    assert_escaped(client.get("/support/", {parameter: text}).content.decode(), text)


@pytest.mark.parametrize("text", HOSTILE)
def test_banner_api_sends_variant_texts_as_json_data_as_written(client, text):
    snapshot_forget()
    BannerVariantFactory(headline=text, body=text, primary_label=text, secondary_label=text)

    response = client.get("/api/v1/banner", {"lang": "en", "views": 5})
    snapshot_forget()

    assert response["Content-Type"].startswith("application/json")
    banner = response.json()["banner"]
    assert (banner["headline"], banner["body"]) == (text, text)
    assert banner["buttons"] == {"primary": text, "secondary": text}


@pytest.fixture
def reader(client):
    user = UserFactory()
    client.force_login(user)
    return user


def paid_by(reader, text: str):
    contributor = ContributorFactory(user=reader, name=text)
    paid_on = datetime.datetime(2026, 3, 14, 12, tzinfo=datetime.UTC)
    return ContributionFactory(
        contributor=contributor, status="succeeded", succeeded_at=paid_on, dedication=text
    )


@pytest.mark.parametrize("page", ["portal:receipt", "portal:statement"])
@pytest.mark.parametrize("text", HOSTILE)
def test_portal_receipt_and_statement_show_the_readers_name_escaped(client, reader, text, page):
    paid = paid_by(reader, text)
    args = [paid.public_id] if page == "portal:receipt" else [2026, "USD"]

    assert_escaped(client.get(reverse(page, args=args)).content.decode(), text)


@pytest.mark.parametrize("text", HOSTILE)
def test_portal_overview_shows_the_tier_name_escaped(client, reader, text):
    tier = Tier.objects.create(name=text, position=1)
    MembershipFactory(contributor=ContributorFactory(user=reader), tier=tier)

    assert_escaped(client.get(reverse("portal:overview")).content.decode(), text)


@pytest.mark.parametrize("text", HOSTILE)
def test_a_cancellation_reason_from_the_portal_is_kept_as_written(client, reader, text):
    membership = MembershipFactory(contributor=ContributorFactory(user=reader))

    response = client.post(
        reverse("portal:cancel", args=[membership.pk]), {"reason": "", "reason_text": text}
    )

    assert response.status_code == 302
    assert SaveOffer.objects.get(membership=membership).reason_text == text


@pytest.mark.parametrize("text", HOSTILE)
def test_newsletter_page_shows_the_newsletters_texts_escaped(client, text):
    NewsletterFactory(name=f"N {text}", description=f"D {text}", frequency=f"F {text}")

    page = client.get("/newsletters/").content.decode()

    for shown in (f"N {text}", f"D {text}", f"F {text}"):
        assert_escaped(page, shown)
