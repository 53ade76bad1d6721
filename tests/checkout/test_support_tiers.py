"""The support page shows what each tier gives and the amount that reaches it; the thank-you page names it."""

import pytest

from membership.models import Benefit, Tier, TierMinimum
from tests.checkout.test_support_page import own_contribution, page_config
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ladder() -> dict[str, Tier]:
    """Supporter from $5 and Member from $10 a month, the Member's newsletter; Member from ¥800 in yen."""
    supporter = Tier.objects.create(name="Supporter", description="You keep us free.", position=1)
    member = Tier.objects.create(name="Member", position=2)
    no_appeals = Benefit.objects.create(code="no_appeals", name="No support appeals")
    newsletter = Benefit.objects.create(code="newsletter", name="Members' newsletter")
    supporter.benefits.set([no_appeals])
    member.benefits.set([no_appeals, newsletter])
    TierMinimum.objects.create(tier=supporter, currency="USD", monthly_minimum_minor=500)
    TierMinimum.objects.create(tier=member, currency="USD", monthly_minimum_minor=1000)
    TierMinimum.objects.create(tier=member, currency="JPY", monthly_minimum_minor=800)
    return {"supporter": supporter, "member": member}


def test_support_page_shows_each_tier_with_its_benefits_and_the_amounts_that_reach_it(client, ladder):
    content = client.get("/support/?currency=USD&frequency=monthly").content.decode()

    assert "What members get" in content
    assert "You keep us free." in content
    assert "<li>Members&#x27; newsletter</li>" in content
    assert "From $5.00 a month" in content
    assert "From $120.00 a year" in content  # Member: 10.00 a month is 120.00 a year


def test_the_default_monthly_amount_is_marked_with_the_tier_it_reaches(client, ladder):
    content = client.get("/support/?currency=USD&frequency=monthly").content.decode()  # default $10.00

    assert f'data-tier="{ladder["member"].pk}" data-reached' in content
    assert f'data-tier="{ladder["supporter"].pk}" data-reached' not in content
    assert "This amount makes you a member of the Member tier." in content


def test_an_annual_default_below_the_first_tier_says_what_reaches_it(client, ladder):
    TierMinimum.objects.filter(tier=ladder["supporter"]).update(monthly_minimum_minor=900)

    content = client.get("/support/?currency=USD&frequency=annual").content.decode()  # $100.00 is 8.33

    assert "From $108.00 a year, members reach the Supporter tier." in content
    assert "data-reached" not in content


def test_the_page_script_gets_each_tier_minimum_per_frequency(client, ladder):
    config = page_config(client.get("/support/?currency=USD"))

    assert config["tiers"] == [
        {"id": ladder["supporter"].pk, "name": "Supporter", "minimums": {"monthly": 500, "annual": 6000}},
        {"id": ladder["member"].pk, "name": "Member", "minimums": {"monthly": 1000, "annual": 12000}},
    ]
    assert "{tier}" in config["messages"]["tier"]["reached"]


def test_tiers_of_another_currency_are_not_offered(client, ladder, settings):
    settings.CHECKOUT_CURRENCIES = ["USD", "JPY"]
    content = client.get("/support/?currency=JPY&frequency=monthly").content.decode()

    assert "From ¥800 a month" in content
    assert "Supporter" not in content
    assert [tier["name"] for tier in page_config(client.get("/support/?currency=JPY"))["tiers"]] == ["Member"]


def test_a_one_off_gift_says_nothing_of_tiers(client, ladder):
    content = client.get("/support/?currency=USD&frequency=one_off").content.decode()

    assert 'id="tiers" aria-labelledby="tiers-title" hidden' in content
    assert "data-reached" not in content
    assert 'id="tier-status" aria-live="polite"></p>' in content


def test_without_tiers_the_page_has_no_tier_block(client):
    content = client.get("/support/?currency=USD&frequency=monthly").content.decode()

    assert 'id="tiers"' not in content
    assert page_config(client.get("/support/"))["tiers"] == []


def test_a_hostile_tier_name_is_escaped_on_the_page_and_in_its_data(client, ladder):
    Tier.objects.filter(pk=ladder["member"].pk).update(name='<script>alert("x")</script>')

    response = client.get("/support/?currency=USD&frequency=monthly")

    content = response.content.decode()
    assert "<script>alert" not in content
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in content
    assert page_config(response)["tiers"][1]["name"] == '<script>alert("x")</script>'


def test_thank_you_page_of_a_membership_names_its_tier_and_benefits(client, ladder):
    membership = MembershipFactory(amount_minor=1000, tier=ladder["member"])
    contribution = own_contribution(
        client, status="succeeded", frequency="monthly", amount_minor=1000, membership=membership
    )

    content = client.get(f"/support/thank-you/{contribution.public_id}/").content.decode()

    assert "Your tier: <strong>Member</strong>." in content
    assert '<dd id="receipt-tier">Member</dd>' in content
    assert "<li>Members&#x27; newsletter</li>" in content


def test_thank_you_page_of_a_membership_without_a_tier_names_none(client, ladder):
    membership = MembershipFactory(amount_minor=100, tier=None)
    contribution = own_contribution(
        client, status="succeeded", frequency="monthly", amount_minor=100, membership=membership
    )

    content = client.get(f"/support/thank-you/{contribution.public_id}/").content.decode()

    assert "Your tier" not in content
    assert 'id="receipt-tier"' not in content


def test_thank_you_page_of_a_one_off_gift_names_no_tier(client, ladder):
    contribution = own_contribution(client, status="succeeded", amount_minor=100000)

    content = client.get(f"/support/thank-you/{contribution.public_id}/").content.decode()

    assert "Your tier" not in content
