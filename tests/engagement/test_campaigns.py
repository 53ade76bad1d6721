"""Campaigns: earmarked gifts and refunds move the goal; the page, the banner's ticker and reporting agree."""

from datetime import timedelta

import pytest
from django.utils import timezone

from engagement.campaigns import campaign_progress
from engagement.decisions import snapshot_forget
from engagement.models import Campaign
from membership.models import MembershipEvent
from reporting.campaigns import campaign_totals
from reporting.periods import today
from tests.engagement.factories import CampaignFactory, message_with_variants
from tests.reporting.book import event, gift, member, refund

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_snapshot():
    snapshot_forget()
    yield
    snapshot_forget()


def money_campaign(**fields) -> Campaign:
    return CampaignFactory(
        slug="war-crimes-unit", goal_kind="money", goal_amount_minor=500_000, goal_currency="USD", **fields
    )


def test_earmarked_gifts_count_toward_the_goal_and_others_do_not():
    campaign = money_campaign()
    now = timezone.now()
    gift(amount=10_000, on=now, campaign="war-crimes-unit")
    gift(amount=2_500, on=now, campaign="war-crimes-unit")
    gift(amount=99_900, on=now, campaign="")  # a gift to the newsroom in general
    assert campaign_progress(campaign).value == 12_500


def test_a_refund_moves_the_goal_back():
    campaign = money_campaign()
    now = timezone.now()
    earmarked = gift(amount=10_000, on=now, campaign="war-crimes-unit")
    gift(amount=2_500, on=now, campaign="war-crimes-unit")
    refund(earmarked, amount=4_000, on=now)
    assert campaign_progress(campaign).value == 8_500


def test_gifts_before_the_campaign_started_do_not_count():
    campaign = money_campaign(starts_on=today())
    gift(amount=10_000, on=timezone.now() - timedelta(days=3), campaign="war-crimes-unit")
    assert campaign_progress(campaign).value == 0


def test_a_gift_in_another_currency_counts_at_stripes_settled_amount():
    campaign = money_campaign()
    gift(
        amount=1_000_00, currency="UAH", settled=(2_400, "USD"), on=timezone.now(), campaign="war-crimes-unit"
    )
    assert campaign_progress(campaign).value == 2_400


def test_a_members_goal_counts_the_memberships_the_campaign_started():
    campaign = CampaignFactory(slug="members-drive", goal_kind="members", goal_members=5000)
    for _ in range(3):
        membership = member(amount=1000, campaign="members-drive")
        event(membership, MembershipEvent.Kind.STARTED, on=timezone.now())
    other = member(amount=1000)
    event(other, MembershipEvent.Kind.STARTED, on=timezone.now())
    progress = campaign_progress(campaign)
    assert (progress.value, progress.goal) == (3, 5000)
    assert progress.label(locale="en_US") == "3 of 5,000 members"


def test_the_page_the_ticker_and_reporting_show_the_same_figure(client):
    campaign = money_campaign()
    now = timezone.now()
    earmarked = gift(amount=10_000, on=now, campaign="war-crimes-unit")
    gift(amount=3_333, on=now, campaign="war-crimes-unit")
    refund(earmarked, amount=1_000, on=now)
    message_with_variants(slug="unit", campaign=campaign, show_ticker=True)

    reported = campaign_totals(
        campaign="war-crimes-unit", start=campaign.starts_on, end=today(), currency="USD"
    )
    ticker = client.get("/api/v1/banner", {"lang": "en", "views": 9}).json()["banner"]["ticker"]
    page = client.get("/support/war-crimes-unit/")

    assert reported.raised_minor == 12_333
    assert ticker["value"] == reported.raised_minor
    assert ticker["label"] == "$123.33 of $5,000.00 raised"
    assert ticker["percent"] == 2
    assert b"$123.33 of $5,000.00 raised" in page.content
    assert b'<progress id="campaign-progress-war-crimes-unit" max="500000" value="12333"' in page.content


def test_the_banner_of_a_campaign_links_to_its_page(client):
    campaign = money_campaign()
    message_with_variants(slug="unit", campaign=campaign)
    links = client.get("/api/v1/banner", {"lang": "en", "views": 9}).json()["banner"]["links"]
    assert links["primary"].startswith("/support/war-crimes-unit/?frequency=monthly")
    assert "campaign=war-crimes-unit" in links["primary"]


def test_a_gift_on_the_campaign_page_is_earmarked_whatever_the_link_says(client):
    money_campaign()
    page = client.get("/support/war-crimes-unit/?campaign=something-else&source=banner")
    config = page.context["checkout_config"]
    assert config["attribution"]["campaign"] == "war-crimes-unit"
    assert config["attribution"]["source"] == "banner"
    assert b"Fund our War Crimes Investigations Unit" in page.content


def test_an_ended_campaign_says_so_and_points_to_the_support_page(client):
    money_campaign(starts_on=today() - timedelta(days=40), ends_on=today() - timedelta(days=1))
    page = client.get("/support/war-crimes-unit/")
    assert page.status_code == 200
    assert b"This campaign ended on" in page.content
    assert b'href="/support/"' in page.content
    assert b'id="support-form"' not in page.content


def test_an_ended_campaign_takes_its_banner_down(client):
    campaign = money_campaign(starts_on=today() - timedelta(days=40), ends_on=today() - timedelta(days=1))
    message_with_variants(slug="unit", campaign=campaign)
    assert client.get("/api/v1/banner", {"lang": "en", "views": 9}).json()["show"] is False


def test_a_campaign_not_started_has_no_page(client):
    money_campaign(starts_on=today() + timedelta(days=2))
    assert client.get("/support/war-crimes-unit/").status_code == 404


def test_a_story_with_markup_is_shown_as_text(client):
    money_campaign(story='<script>alert(1)</script>\n\n"><img src=x onerror=alert(2)>')
    page = client.get("/support/war-crimes-unit/").content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page
