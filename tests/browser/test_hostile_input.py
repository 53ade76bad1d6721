"""Hostile input in a real browser (issue #15): markup typed as a dedication, a campaign's texts or a
contributor's name runs nowhere, on the thank-you page, the campaign page and an admin change page; the
page shows it as text. The `page` fixture also fails the test on any Content-Security-Policy violation."""

import pytest
from playwright.sync_api import expect

from tests.engagement.factories import CampaignFactory
from tests.factories import ContributionFactory, ContributorFactory, UserFactory
from tests.security.payloads import IMG, SCRIPT

pytestmark = [pytest.mark.browser, pytest.mark.integration]

HOSTILE_NAME = f"{SCRIPT}{IMG}"


def with_session(page, site: str, session_key: str) -> None:
    host = site.split("//", 1)[1].split(":")[0]
    page.context.add_cookies([{"name": "sessionid", "value": session_key, "domain": host, "path": "/"}])


def assert_inert(page, dialogs: list) -> None:
    page.wait_for_load_state("networkidle")
    assert dialogs == [], "a script from the hostile text ran"
    assert page.locator("img[src=x]").count() == 0
    expect(page.get_by_text(HOSTILE_NAME).first).to_be_visible()


@pytest.fixture
def dialogs(page) -> list:
    seen: list = []

    def record(dialog) -> None:
        seen.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return seen


def test_thank_you_page_shows_a_hostile_dedication_as_text(page, site, client, dialogs):
    contribution = ContributionFactory(status="succeeded", dedication=HOSTILE_NAME)
    session = client.session
    session["checkout_contributions"] = [str(contribution.public_id)]
    session.save()
    with_session(page, site, session.session_key)

    page.goto(f"{site}/support/thank-you/{contribution.public_id}/")

    assert_inert(page, dialogs)


def test_campaign_page_shows_hostile_campaign_texts_as_text(page, site, dialogs):
    campaign = CampaignFactory(name=HOSTILE_NAME, headline=HOSTILE_NAME, story=HOSTILE_NAME)

    page.goto(f"{site}/support/{campaign.slug}/")

    assert_inert(page, dialogs)


def test_admin_change_page_shows_a_hostile_contributor_name_as_text(page, site, client, dialogs):
    contributor = ContributorFactory(name=HOSTILE_NAME)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    with_session(page, site, client.cookies["sessionid"].value)

    page.goto(f"{site}/admin/payments/contributor/{contributor.pk}/change/")

    page.wait_for_load_state("networkidle")
    assert dialogs == [], "a script from the hostile text ran"
    assert page.locator("img[src=x]").count() == 0
    expect(page.locator("input[name=name]")).to_have_value(HOSTILE_NAME)
