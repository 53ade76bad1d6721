"""Staff manage banners in the admin: accessible colours, known figures, results, the bandit and a preview."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from engagement.decisions import snapshot_forget
from engagement.models import BannerVariant, VariantCounts
from engagement.selectors import variant_arms
from engagement.services import bandit_weights_update
from tests.engagement.factories import BannerVariantFactory, message_with_variants
from tests.reporting.book import gift, member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_snapshot():
    snapshot_forget()
    yield
    snapshot_forget()


def test_colours_below_wcag_aa_contrast_are_refused():
    variant = BannerVariantFactory.build(
        message=message_with_variants(), key="pale", text_colour="#bbbbbb", background_colour="#ffffff"
    )
    with pytest.raises(ValidationError) as refused:
        variant.full_clean()
    assert "text_colour" in refused.value.message_dict
    assert "at least 4.5:1" in refused.value.message_dict["text_colour"][0]


def test_the_default_colours_pass_the_contrast_check():
    BannerVariantFactory.build(message=message_with_variants(), key="ok").full_clean()


def test_an_unknown_figure_in_the_text_is_refused():
    variant = BannerVariantFactory.build(
        message=message_with_variants(), key="typo", body="{reader_shar} of our revenue"
    )
    with pytest.raises(ValidationError) as refused:
        variant.full_clean()
    assert "{reader_shar}" in refused.value.message_dict["body"][0]


def test_the_message_page_shows_each_variants_results(admin_client):
    message = message_with_variants(slug="spring", weights={"a": 1, "b": 1})
    for key, views in (("a", 1000), ("b", 1000)):
        VariantCounts.objects.create(variant=BannerVariant.objects.get(key=key), impressions=views, clicks=40)
    for _ in range(3):
        gift(amount=2500, on=message.created_at, variant="spring:b")
    page = admin_client.get(
        reverse("admin:engagement_bannermessage_change", args=[message.pk])
    ).content.decode()
    assert "revenue per 1,000 views" in page
    assert "0.30%" in page  # 3 gifts in 1,000 views of b
    assert "$75.00" in page
    assert "Collecting" in page  # far below the fixed sample size: no verdict yet


def test_a_membership_counts_once_for_its_variant_however_many_renewals():
    message = message_with_variants(slug="spring", weights={"a": 1})
    membership = member(amount=1000, variant="spring:a")
    for _ in range(3):  # the first payment and two renewals, all carrying the membership's attribution
        gift(
            amount=1000, on=message.created_at, membership=membership, frequency="monthly", variant="spring:a"
        )
    gift(amount=500, on=message.created_at, variant="spring:a")
    arm = variant_arms(message=message)[0]
    assert (arm.conversions, arm.revenue_minor) == (2, 1500)


def test_the_bandit_moves_traffic_to_the_variant_that_earns_more_per_view(client):
    message = message_with_variants(slug="bandit", weights={"a": 1, "b": 1}, test_mode="bandit")
    VariantCounts.objects.create(variant=BannerVariant.objects.get(key="a"), impressions=1000)
    VariantCounts.objects.create(variant=BannerVariant.objects.get(key="b"), impressions=1000)
    for _ in range(10):
        gift(amount=2500, on=message.created_at, variant="bandit:a")
    for _ in range(30):
        gift(amount=2500, on=message.created_at, variant="bandit:b")

    variants = bandit_weights_update(message=message, seed=7)

    weights = {variant.key: variant.bandit_weight_permille for variant in variants}
    assert sum(weights.values()) == 1000
    assert weights["b"] >= 940
    assert weights["a"] == 1000 - weights["b"]
    assert all(variant.bandit_explanation for variant in variants)
    shown = {
        client.get("/api/v1/banner", {"views": 5, "lang": "en", "bucket": b}).json()["banner"]["variant"]
        for b in range(1000)
    }
    assert shown == {"a", "b"}


def test_the_preview_shows_the_variant_as_a_reader_sees_it(admin_client):
    message = message_with_variants(slug="spring", weights={"a": 1, "b": 1})
    BannerVariant.objects.filter(key="b").update(headline="We are not behind a paywall")
    page = admin_client.get(
        reverse("admin:engagement_bannermessage_preview", args=[message.pk]) + "?variant=b"
    )
    assert page.status_code == 200
    assert b'src="/banner.js"' in page.content
    answer = admin_client.get(
        reverse("admin:engagement_bannermessage_preview_json", args=[message.pk]) + "?variant=b"
    ).json()
    assert answer["banner"]["headline"] == "We are not behind a paywall"
    assert answer["banner"]["variant"] == "b"


def test_the_preview_is_for_staff_only(client):
    message = message_with_variants()
    url = reverse("admin:engagement_bannermessage_preview_json", args=[message.pk])
    assert client.get(url).status_code == 302
